package usbhid_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/hid"
	"github.com/sysnut/sysnut/internal/hidraw"
)

// linux/uhid.h: event types, and the size of struct uhid_event (4380
// bytes, as a C program built against the header prints it).
const (
	uhidDestroy        = 1
	uhidGetReport      = 9
	uhidGetReportReply = 10
	uhidCreate2        = 11
	uhidInput2         = 12
	uhidSetReport      = 13
	uhidSetReportReply = 14
	uhidEventSize      = 4380
)

// uhidUPS is a UPS made through the kernel's uhid: a real hidraw node,
// whose feature reports this answers from a recording.
type uhidUPS struct {
	f       *os.File
	mu      sync.Mutex
	reports map[uint8][]byte
	sets    [][]byte
	done    chan struct{}
}

func newUHIDUPS(t *testing.T, log *hid.NUTLog, serial string) *uhidUPS {
	t.Helper()
	f, err := os.OpenFile("/dev/uhid", os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			t.Skipf("no virtual UPS through the kernel here: %v (the kernel's uhid module, and root, are needed)", err)
		}
		t.Fatal(err)
	}
	u := &uhidUPS{f: f, reports: log.Reports(), done: make(chan struct{})}
	ev := make([]byte, uhidEventSize)
	binary.LittleEndian.PutUint32(ev, uhidCreate2)
	copy(ev[4:132], "sysnut virtual UPS")
	copy(ev[196:260], serial)
	binary.LittleEndian.PutUint16(ev[260:], uint16(len(log.Descriptor)))
	binary.LittleEndian.PutUint16(ev[262:], 0x03) // BUS_USB
	binary.LittleEndian.PutUint32(ev[264:], uint32(log.VendorID))
	binary.LittleEndian.PutUint32(ev[268:], uint32(log.ProductID))
	copy(ev[280:], log.Descriptor)
	if _, err := f.Write(ev); err != nil {
		f.Close()
		t.Fatalf("UHID_CREATE2: %v", err)
	}
	go u.serve()
	t.Cleanup(func() {
		d := make([]byte, uhidEventSize)
		binary.LittleEndian.PutUint32(d, uhidDestroy)
		f.Write(d)
		f.Close()
		<-u.done
	})
	return u
}

// serve answers the kernel's GET_REPORT and SET_REPORT until the device
// is closed.
func (u *uhidUPS) serve() {
	defer close(u.done)
	ev := make([]byte, uhidEventSize)
	for {
		if _, err := u.f.Read(ev); err != nil {
			return
		}
		reply := make([]byte, uhidEventSize)
		copy(reply[4:8], ev[4:8]) // the request's id
		switch binary.LittleEndian.Uint32(ev) {
		case uhidGetReport:
			binary.LittleEndian.PutUint32(reply, uhidGetReportReply)
			u.mu.Lock()
			r, ok := u.reports[ev[8]]
			u.mu.Unlock()
			if !ok {
				binary.LittleEndian.PutUint16(reply[8:], 5) // EIO
			} else {
				binary.LittleEndian.PutUint16(reply[10:], uint16(len(r)))
				copy(reply[12:], r)
			}
		case uhidSetReport:
			binary.LittleEndian.PutUint32(reply, uhidSetReportReply)
			n := binary.LittleEndian.Uint16(ev[10:])
			u.mu.Lock()
			u.sets = append(u.sets, append([]byte(nil), ev[12:12+int(n)]...))
			u.mu.Unlock()
		default:
			continue // start, open, close, output
		}
		if _, err := u.f.Write(reply); err != nil {
			return
		}
	}
}

// input sends an input report (an interrupt transfer).
func (u *uhidUPS) input(t *testing.T, report []byte) {
	t.Helper()
	ev := make([]byte, uhidEventSize)
	binary.LittleEndian.PutUint32(ev, uhidInput2)
	binary.LittleEndian.PutUint16(ev[4:], uint16(len(report)))
	copy(ev[6:], report)
	if _, err := u.f.Write(ev); err != nil {
		t.Fatalf("UHID_INPUT2: %v", err)
	}
}

// TestVirtualUPSThroughTheKernel: where the kernel has uhid, a UPS made
// from the recorded Back-UPS 500 gets a real hidraw node, and the real
// driver (hidraw discovery, ioctls, interrupt reads) serves it: the
// recorded values, a status change sent as an input report, and a SET
// that reaches the device as a feature report. These machines have no
// /dev/uhid: the test says so and skips.
func TestVirtualUPSThroughTheKernel(t *testing.T) {
	log, upsc, _ := replay(t, "../../hid/testdata/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev")
	serial := fmt.Sprintf("SYSNUT%d", os.Getpid())
	u := newUHIDUPS(t, log, serial)
	var node string
	deadline := time.Now().Add(5 * time.Second)
	for node == "" {
		nodes, _ := hidraw.Nodes("/")
		for _, n := range nodes {
			if n.Serial == serial {
				node = n.Path
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no hidraw node for the virtual UPS (nodes: %v)", nodes)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ups := &config.UPS{Name: "virtual", Driver: "usbhid-ups", Port: node,
		Params: []config.Param{{Key: "port", Value: node}, {Key: "vendorid", Value: "051d"}}}
	p, err := usbhid.New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	r := runRig(t, p, ups, time.Hour)
	r.await(t, "the recorded values", func(v map[string]string, a driversock.Availability) bool {
		return a == driversock.Available && v["battery.charge"] == upsc["battery.charge"] && v["ups.status"] == upsc["ups.status"]
	})
	// Mains fails: the Back-UPS 500 sends report 0x06's ACPresent bit.
	desc, _ := hid.Parse(log.Descriptor)
	names := hid.NewNames(usbhid.APC.Usages, hid.StandardUsages)
	path, _ := names.Parse("UPS.PowerSummary.ACPresent")
	f := desc.Find(path, hid.Input)
	if f == nil {
		t.Fatal("no input ACPresent in the recording")
	}
	u.mu.Lock()
	rep := append([]byte(nil), u.reports[f.ReportID]...)
	f.SetLogical(rep, 0)
	u.reports[f.ReportID] = rep
	u.mu.Unlock()
	u.input(t, rep)
	r.status(t, "OB")
	if st := r.send(t, "SET battery.charge.low 15"); st != driversock.StatusHandled {
		t.Fatalf("SET: %v", st)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.sets) == 0 {
		t.Error("the SET did not reach the device")
	}
}
