package usbhid_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/hid"
	"github.com/sysnut/sysnut/internal/hidraw"
	"github.com/sysnut/sysnut/internal/state"
)

// sim is a HID UPS built from a real one: the recorded Back-UPS 500's
// descriptor and reports, which tests change field by field; it sends
// input reports, takes feature reports, and can be unplugged, hang or
// answer garbage.
type sim struct {
	mu      sync.Mutex
	raw     []byte
	desc    *hid.Descriptor
	names   *hid.Names
	dev     usbhid.Device
	reports map[uint8][]byte
	sets    [][]byte
	inputs  chan []byte
	gone    bool
	garbage bool
	hang    bool
}

func newSim(t testing.TB) *sim {
	t.Helper()
	l, _, _ := replay(t, "../../hid/testdata/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev")
	d, dev, answers := recordedDevice(t, l)
	s := &sim{raw: l.Descriptor, desc: d, names: hid.NewNames(usbhid.APC.Usages, hid.StandardUsages),
		reports: map[uint8][]byte{}, inputs: make(chan []byte, 16), dev: *dev}
	for id, r := range answers {
		b := make([]byte, d.ReportLen[id]+1)
		copy(b, r)
		s.reports[id] = b
	}
	return s
}

// set changes a field's value in the device (both its input and feature
// views share the report) and returns the report, for sending as input.
func (s *sim) set(t testing.TB, path string, v int64) []byte {
	t.Helper()
	p, err := s.names.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	f := s.desc.Find(p, hid.Input)
	if f == nil {
		f = s.desc.Find(p, hid.Feature)
	}
	if f == nil {
		t.Fatalf("no %s", path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f.SetLogical(s.reports[f.ReportID], v)
	return append([]byte(nil), s.reports[f.ReportID]...)
}

func (s *sim) Descriptor() ([]byte, error) { return s.raw, nil }
func (s *sim) GetFeature(id uint8, n int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.gone:
		return nil, fmt.Errorf("%w: no such device", hidraw.ErrGone)
	case s.hang:
		return nil, fmt.Errorf("get feature report %#02x: connection timed out", id)
	case s.garbage:
		return []byte{id ^ 0xff, 0xde, 0xad}, nil
	}
	return append([]byte(nil), s.reports[id]...), nil
}
func (s *sim) SetFeature(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return fmt.Errorf("%w: no such device", hidraw.ErrGone)
	}
	s.sets = append(s.sets, append([]byte(nil), b...))
	copy(s.reports[b[0]], b)
	return nil
}
func (s *sim) ReadInput(t time.Duration) ([]byte, error) {
	s.mu.Lock()
	gone := s.gone
	s.mu.Unlock()
	if gone {
		return nil, fmt.Errorf("%w: no such device", hidraw.ErrGone)
	}
	select {
	case r := <-s.inputs:
		return r, nil
	case <-time.After(t):
		return nil, nil
	}
}
func (s *sim) Close() error { return nil }

// simRig runs usbhid-ups on the simulator behind a driver socket Link,
// as upsd sees it.
type simRig struct {
	sim  *sim
	link *driversock.Link
	mu   sync.Mutex
	trk  map[string]int // TRACKING answers by id
}

func newSimRig(t testing.TB, poll time.Duration, flags ...string) *simRig {
	t.Helper()
	s := newSim(t)
	ups := &config.UPS{Name: "apc", Driver: "usbhid-ups", Port: "auto", Flags: flags}
	p, err := usbhid.NewWithConn(driver.Params{UPS: ups}, func() (usbhid.Conn, *usbhid.Device, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gone {
			return nil, nil, fmt.Errorf("%w: not plugged in", hidraw.ErrGone)
		}
		d := s.dev
		return s, &d, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := runRig(t, p, ups, poll)
	r.sim = s
	return r
}

// runRig runs the driver with protocol p, and follows its socket as upsd
// would.
func runRig(t testing.TB, p driver.Protocol, ups *config.UPS, poll time.Duration) *simRig {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "usbhid-ups-"+ups.Name)
	l, err := driversock.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		driver.Run(ctx, p, driver.Params{UPS: ups}, driver.Options{Driver: "usbhid-ups", PollInterval: poll,
			Retry: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}, l)
	}()
	r := &simRig{trk: map[string]int{}}
	r.link = driversock.NewLink(driversock.LinkConfig{Path: sock, Retry: 10 * time.Millisecond,
		OnTracking: func(id string, st int) { r.mu.Lock(); r.trk[id] = st; r.mu.Unlock() }})
	go r.link.Run(ctx)
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func (r *simRig) view() (map[string]string, driversock.Availability) {
	vars := map[string]string{}
	var av driversock.Availability
	r.link.View(func(t *state.Tree, a driversock.Availability, _ bool) {
		av = a
		for _, v := range t.Vars() {
			vars[v.Name] = v.Value
		}
	})
	return vars, av
}

func (r *simRig) await(t testing.TB, what string, ok func(map[string]string, driversock.Availability) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, a := r.view()
		if ok(v, a) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v %v", what, a, v["ups.status"])
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *simRig) status(t testing.TB, want string) {
	t.Helper()
	r.await(t, "ups.status "+want, func(v map[string]string, a driversock.Availability) bool {
		return a == driversock.Available && v["ups.status"] == want
	})
}

// TestSimulatedUPS drives the driver through what a real UPS does:
// mains fails and returns, the battery runs low, as interrupt reports
// that reach upsd's view before the next poll (the poll interval here is
// an hour); a command and a SET; unplug (stale at once) and replug; a
// device that hangs, and one that answers garbage.
func TestSimulatedUPS(t *testing.T) {
	t.Parallel()
	r := newSimRig(t, time.Hour)
	r.status(t, "OL")
	s := r.sim
	// The Back-UPS 500 reports its status bits in report 0x06 and 0x13/0x14.
	s.inputs <- s.set(t, "UPS.PowerSummary.ACPresent", 0)
	r.status(t, "OB")
	s.inputs <- s.set(t, "UPS.PowerSummary.Discharging", 1)
	s.inputs <- s.set(t, "UPS.PowerSummary.BelowRemainingCapacityLimit", 1)
	r.status(t, "OB DISCHRG LB")
	s.inputs <- s.set(t, "UPS.PowerSummary.Discharging", 0)
	s.inputs <- s.set(t, "UPS.PowerSummary.BelowRemainingCapacityLimit", 0)
	s.inputs <- s.set(t, "UPS.PowerSummary.ACPresent", 1)
	r.status(t, "OL")

	// An instant command goes to the device.
	if st := r.send(t, "INSTCMD test.panel.start"); st != driversock.StatusHandled {
		t.Errorf("test.panel.start: status %d", st)
	}
	s.mu.Lock()
	n := len(s.sets)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("%d feature reports sent, want 1", n)
	}

	// Unplugged: stale at once, not after a timeout; back when replugged.
	s.mu.Lock()
	s.gone = true
	s.mu.Unlock()
	start := time.Now()
	r.await(t, "stale data", func(_ map[string]string, a driversock.Availability) bool { return a == driversock.Stale })
	t.Logf("stale %v after the unplug", time.Since(start).Round(time.Millisecond))
	s.mu.Lock()
	s.gone = false
	s.mu.Unlock()
	r.status(t, "OL")

}

// TestSimulatedFaults: a UPS that stops answering its reports (hung) or
// answers garbage has its data marked stale at the next poll, and the
// driver takes it back when it behaves again.
func TestSimulatedFaults(t *testing.T) {
	t.Parallel()
	r := newSimRig(t, 20*time.Millisecond)
	r.status(t, "OL")
	s := r.sim
	for _, fault := range []*bool{&s.hang, &s.garbage} {
		s.mu.Lock()
		*fault = true
		s.mu.Unlock()
		r.await(t, "stale data", func(_ map[string]string, a driversock.Availability) bool { return a == driversock.Stale })
		s.mu.Lock()
		*fault = false
		s.mu.Unlock()
		r.status(t, "OL")
	}
}

func (r *simRig) send(t testing.TB, line string) int {
	t.Helper()
	id := fmt.Sprintf("t%d", time.Now().UnixNano())
	if err := r.link.Send(line + " TRACKING " + id); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		st, ok := r.trk[id]
		r.mu.Unlock()
		if ok {
			return st
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no answer to %s", line)
	return -1
}

// BenchmarkInputReportToView is the path an interrupt report takes: the
// UPS sends it, the driver applies it, and upsd's view (the driver
// socket's Link) shows the new status. NUT's usbhid-ups waits up to
// pollinterval (2 s) for this.
func BenchmarkInputReportToView(b *testing.B) {
	r := newSimRig(b, time.Hour)
	r.status(b, "OL")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.sim.inputs <- r.sim.set(b, "UPS.PowerSummary.ACPresent", 0)
		r.status(b, "OB")
		r.sim.inputs <- r.sim.set(b, "UPS.PowerSummary.ACPresent", 1)
		r.status(b, "OL")
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(2*b.N), "µs/change")
}

// TestPollOnly: with pollonly the interrupt pipe is not read: a status
// change waits for the next poll.
func TestPollOnly(t *testing.T) {
	t.Parallel()
	r := newSimRig(t, 300*time.Millisecond, "pollonly")
	r.status(t, "OL")
	s := r.sim
	s.inputs <- s.set(t, "UPS.PowerSummary.ACPresent", 0)
	time.Sleep(100 * time.Millisecond)
	if len(s.inputs) != 1 {
		t.Errorf("the input report was read (%d left)", len(s.inputs))
	}
	r.status(t, "OB") // from the next poll
}
