package interop

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/hid"
)

// fakeUSB is a simulated HID UPS kept in a file that both drivers read:
// NUT's usbhid-ups through testdata/fakeusb (a libusb stand-in it loads
// instead of the real library), ours through fakeConn. The file's format
// is described in testdata/fakeusb/libusb.c.
type fakeUSB struct {
	VendorID, ProductID, BCD      uint16
	Manufacturer, Product, Serial string
	// Strings are further USB string descriptors by index (iDeviceChemistry
	// and the like); indexes 1-3 are Manufacturer, Product and Serial.
	Strings    map[int]string
	Descriptor []byte
	Reports    map[uint8][]byte
}

// fakeFromLog is the device a NUT debug log recorded.
func fakeFromLog(t testing.TB, path string) *fakeUSB {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := hid.ReadNUTLog(f)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeUSB{VendorID: l.VendorID, ProductID: l.ProductID, BCD: 0x0100,
		Manufacturer: l.Manufacturer, Product: l.Product, Serial: l.Serial,
		Descriptor: l.Descriptor, Reports: l.Reports()}
}

// set writes a logical value into every field whose usage path ends
// with usage (the device reports a status bit in each report that has
// it), and returns how many it set.
func (d *fakeUSB) set(t testing.TB, usage string, v int64) int {
	t.Helper()
	desc, err := hid.Parse(d.Descriptor)
	if err != nil {
		t.Fatal(err)
	}
	names := hid.NewNames(hid.StandardUsages)
	n := 0
	for i := range desc.Fields {
		f := &desc.Fields[i]
		if p := names.String(f.Path); p != usage && !strings.HasSuffix(p, "."+usage) {
			continue
		}
		r := d.Reports[f.ReportID]
		if need := 1 + desc.ReportLen[f.ReportID]; len(r) < need {
			r = append(r, make([]byte, need-len(r))...)
			r[0] = f.ReportID
		}
		if !f.SetLogical(r, v) {
			t.Fatalf("%s: %d does not fit", usage, v)
		}
		d.Reports[f.ReportID] = r
		n++
	}
	return n
}

// write puts the device into path at once (a rename), so that a driver
// reading it sees the old state or the new one, never half of each.
func (d *fakeUSB) write(t testing.TB, path string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "vendorid %04x\nproductid %04x\nbcddevice %04x\n", d.VendorID, d.ProductID, d.BCD)
	for i, s := range []string{d.Manufacturer, d.Product, d.Serial} {
		if s != "" {
			fmt.Fprintf(&b, "string %d %s\n%s %d\n", i+1, s, []string{"manufacturer", "product", "serial"}[i], i+1)
		}
	}
	idx := make([]int, 0, len(d.Strings))
	for k := range d.Strings {
		idx = append(idx, k)
	}
	sort.Ints(idx)
	for _, k := range idx {
		fmt.Fprintf(&b, "string %d %s\n", k, d.Strings[k])
	}
	fmt.Fprintf(&b, "descriptor %x\n", d.Descriptor)
	ids := make([]int, 0, len(d.Reports))
	for id := range d.Reports {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, "feature %x\n", d.Reports[uint8(id)])
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// readFakeUSB parses a device file, as the libusb stand-in does.
func readFakeUSB(path string) (*fakeUSB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &fakeUSB{Strings: map[int]string{}, Reports: map[uint8][]byte{}}
	idx := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		key, val, _ := strings.Cut(sc.Text(), " ")
		var err error
		switch key {
		case "vendorid", "productid", "bcddevice":
			var v uint64
			v, err = strconv.ParseUint(val, 16, 16)
			*map[string]*uint16{"vendorid": &d.VendorID, "productid": &d.ProductID, "bcddevice": &d.BCD}[key] = uint16(v)
		case "manufacturer", "product", "serial":
			idx[key], err = strconv.Atoi(val)
		case "string":
			k, s, _ := strings.Cut(val, " ")
			var i int
			i, err = strconv.Atoi(k)
			d.Strings[i] = s
		case "descriptor":
			d.Descriptor, err = hex.DecodeString(val)
		case "feature":
			var r []byte
			r, err = hex.DecodeString(val)
			if err == nil && len(r) > 0 {
				d.Reports[r[0]] = r
			}
		default:
			err = fmt.Errorf("unknown key %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	d.Manufacturer, d.Product, d.Serial = d.Strings[idx["manufacturer"]], d.Strings[idx["product"]], d.Strings[idx["serial"]]
	return d, sc.Err()
}

// fakeConn is our driver's side of a device file: read again when it
// changes, like the stand-in; writes are kept and logged to path.writes.
type fakeConn struct {
	path string

	mu    sync.Mutex
	mtime time.Time
	dev   *fakeUSB
}

// dialFake opens the device file for our driver.
func dialFake(path string) func() (usbhid.Conn, *usbhid.Device, error) {
	return func() (usbhid.Conn, *usbhid.Device, error) {
		c := &fakeConn{path: path}
		d, err := c.load()
		if err != nil {
			return nil, nil, err
		}
		// The string descriptors as hiddev gives them: one the device
		// lacks (or index 0) is an error, which reads as empty.
		str := func(i int) (string, bool) {
			d, err := c.load()
			if err != nil {
				return "", false
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			return d.Strings[i], true
		}
		return c, &usbhid.Device{VendorID: d.VendorID, ProductID: d.ProductID,
			Vendor: d.Manufacturer, Product: d.Product, Serial: d.Serial, String: str}, nil
	}
}

func (c *fakeConn) load() (*fakeUSB, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := os.Stat(c.path)
	if err != nil {
		return nil, err
	}
	if c.dev == nil || !st.ModTime().Equal(c.mtime) {
		d, err := readFakeUSB(c.path)
		if err != nil {
			return nil, err
		}
		c.dev, c.mtime = d, st.ModTime()
	}
	return c.dev, nil
}

func (c *fakeConn) Descriptor() ([]byte, error) {
	d, err := c.load()
	if err != nil {
		return nil, err
	}
	return d.Descriptor, nil
}

// errStall is what a device answers for a report it does not have.
var errStall = fmt.Errorf("broken pipe (the device stalled)")

func (c *fakeConn) GetFeature(id uint8, n int) ([]byte, error) {
	d, err := c.load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := d.Reports[id]
	if !ok {
		return nil, errStall
	}
	return append([]byte(nil), r...), nil
}

func (c *fakeConn) SetFeature(b []byte) error {
	d, err := c.load()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := d.Reports[b[0]]; !ok {
		return errStall
	}
	d.Reports[b[0]] = append([]byte(nil), b...)
	f, err := os.OpenFile(c.path+".writes", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "set %x\n", b)
	return err
}

func (c *fakeConn) Close() error { return nil }

// fakeLibusb builds the libusb stand-in and returns the directory to put
// first in NUT's driver's LD_LIBRARY_PATH.
func fakeLibusb(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, err := filepath.Abs("testdata/fakeusb/libusb.c")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("cc", "-shared", "-fPIC", "-O1", "-Wall", "-Werror",
		"-o", filepath.Join(dir, "libusb-1.0.so.0"), src).CombinedOutput()
	if err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatalf("building the libusb stand-in (needs cc and libusb-1.0-0-dev): %v\n%s", err, out)
		}
		t.Skipf("cannot build the libusb stand-in (cc, libusb-1.0-0-dev): %v\n%s", err, out)
	}
	return dir
}
