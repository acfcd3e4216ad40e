package driver_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/state"
	"github.com/sysnut/sysnut/internal/testlog"
)

// flaky is a device whose cable can be pulled.
type flaky struct {
	unplugged atomic.Bool
	connects  atomic.Int32
	polls     atomic.Int32
}

func (f *flaky) Connect(_ context.Context, s *driver.State) error {
	if f.unplugged.Load() {
		return errors.New("no such device")
	}
	f.connects.Add(1)
	s.Update(func(v *driver.Vars) { v.Set("ups.mfr", "Flaky") })
	return nil
}

func (f *flaky) Poll(_ context.Context, s *driver.State) error {
	if f.unplugged.Load() {
		return errors.New("read: input/output error")
	}
	n := f.polls.Add(1)
	s.Update(func(v *driver.Vars) {
		v.Set("ups.status", "OL")
		v.Set("ups.poll", string(rune('0'+n%10)))
	})
	return nil
}

func (f *flaky) Close() error { return nil }
func (f *flaky) SetVar(context.Context, *driver.State, string, string) int {
	return driversock.StatusInvalid
}
func (f *flaky) InstCmd(context.Context, *driver.State, string, string) int {
	return driversock.StatusUnknown
}

func TestReconnectAfterCableDrop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sock := filepath.Join(dir, "flaky-ups")
	l, err := driversock.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ups := &config.UPS{Name: "ups", Driver: "flaky", Params: []config.Param{{Key: "port", Value: "/dev/null"}}}
	dev := &flaky{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- driver.Run(ctx, dev, driver.Params{UPS: ups}, driver.Options{Driver: "flaky", Version: "1",
			PollInterval: 20 * time.Millisecond, Retry: 20 * time.Millisecond}, l)
	}()

	link := driversock.NewLink(driversock.LinkConfig{Path: sock, Retry: 10 * time.Millisecond})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); link.Run(ctx) }()
	avail := func() (a driversock.Availability, status string) {
		link.View(func(tr *state.Tree, av driversock.Availability, _ bool) {
			a = av
			if v := tr.Get("ups.status"); v != nil {
				status = v.Value
			}
		})
		return
	}
	wait := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait("fresh data", func() bool { a, s := avail(); return a == driversock.Available && s == "OL" })
	dev.unplugged.Store(true)
	wait("stale after the cable drop", func() bool { a, _ := avail(); return a == driversock.Stale })
	dev.unplugged.Store(false)
	wait("fresh again after replug", func() bool { a, _ := avail(); return a == driversock.Available })
	if dev.connects.Load() < 2 {
		t.Errorf("device reconnected %d times", dev.connects.Load())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v on cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
	wg.Wait()
}

// notifySocket stands in for systemd's notification socket, with the
// watchdog period given; not for parallel tests (the environment).
func notifySocket(t *testing.T, dir, watchdogUsec string) *net.UnixConn {
	t.Helper()
	ns := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: ns, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", ns)
	t.Setenv("WATCHDOG_USEC", watchdogUsec)
	return conn
}

func TestNotifiesSystemd(t *testing.T) {
	dir := t.TempDir()
	conn := notifySocket(t, dir, "200000")
	l, err := driversock.Listen(filepath.Join(dir, "flaky-ups"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ups := &config.UPS{Name: "ups", Driver: "flaky"}
	go driver.Run(ctx, &flaky{}, driver.Params{UPS: ups}, driver.Options{Driver: "flaky", PollInterval: 10 * time.Millisecond}, l)
	var got []string
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for len(got) < 2 || !strings.Contains(strings.Join(got, "|"), "WATCHDOG=1") {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got = append(got, string(buf[:n]))
	}
	if !strings.Contains(got[0], "READY=1") || !strings.Contains(got[1], "STATUS=ups.status OL") {
		t.Errorf("notifications = %q", got)
	}
}

// TestIgnoreLB: with the ignorelb flag the device's LB is dropped and LB
// is raised from battery.charge.low and battery.runtime.low, compared as
// NUT's status_commit compares them (leading integers).
func TestIgnoreLB(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		flags  []string
		vars   map[string]string // set in one update, ups.status last
		status string
	}{
		{"no flag: device LB kept", nil, map[string]string{"battery.charge": "90", "battery.charge.low": "20", "ups.status": "OB LB"}, "OB LB"},
		{"device LB dropped", []string{"ignorelb"}, map[string]string{"battery.charge": "90", "battery.charge.low": "20", "ups.status": "OB LB"}, "OB"},
		{"charge below low", []string{"ignorelb"}, map[string]string{"battery.charge": "19.9", "battery.charge.low": "20", "ups.status": "OB DISCHRG"}, "OB DISCHRG LB"},
		{"charge at low is not below", []string{"ignorelb"}, map[string]string{"battery.charge": "20.9", "battery.charge.low": "20", "ups.status": "OB"}, "OB"},
		{"runtime below low", []string{"ignorelb"}, map[string]string{"battery.runtime": "119", "battery.runtime.low": "120", "ups.status": "OB"}, "OB LB"},
		{"no thresholds: no LB", []string{"ignorelb"}, map[string]string{"battery.charge": "1", "ups.status": "OB LB"}, "OB"},
	} {
		ups := &config.UPS{Name: "u", Flags: tc.flags}
		st := driver.NewTestState(&flaky{}, ups)
		st.Update(func(v *driver.Vars) {
			for k, val := range tc.vars {
				if k != "ups.status" {
					v.Set(k, val)
				}
			}
			v.Set("ups.status", tc.vars["ups.status"])
		})
		if got, _ := st.Get("ups.status"); got != tc.status {
			t.Errorf("%s: ups.status %q, want %q", tc.name, got, tc.status)
		}
	}
	// The charge falling later, in an update that does not touch the
	// status, raises LB too.
	st := driver.NewTestState(&flaky{}, &config.UPS{Name: "u", Flags: []string{"ignorelb"}})
	st.Update(func(v *driver.Vars) {
		v.Set("battery.charge.low", "10")
		v.Set("battery.charge", "50")
		v.Set("ups.status", "OB DISCHRG")
	})
	st.Update(func(v *driver.Vars) { v.Set("battery.charge", "9") })
	if got, _ := st.Get("ups.status"); got != "OB DISCHRG LB" {
		t.Errorf("after the charge fell: %q", got)
	}
}

// hanging answers a few polls, then never returns from one, as a device
// whose ioctl hangs in the kernel.
type hanging struct {
	flaky
	polls   atomic.Int32
	at      int32         // the poll that hangs (0: the fourth)
	hung    chan struct{} // closed when the hanging poll starts
	release chan struct{}
}

func (h *hanging) Poll(ctx context.Context, s *driver.State) error {
	at := h.at
	if at == 0 {
		at = 4
	}
	if h.polls.Add(1) == at {
		close(h.hung)
		<-h.release
	}
	return h.flaky.Poll(ctx, s)
}

// TestHungDeviceStarvesWatchdog: the systemd watchdog is fed between
// polls only, so a driver stuck in a device call stops feeding it and
// systemd restarts the unit (WatchdogSec=) instead of serving old data.
func TestHungDeviceStarvesWatchdog(t *testing.T) {
	dir := t.TempDir()
	conn := notifySocket(t, dir, "100000")
	l, err := driversock.Listen(filepath.Join(dir, "hung-ups"))
	if err != nil {
		t.Fatal(err)
	}
	h := &hanging{hung: make(chan struct{}), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		driver.Run(ctx, h, driver.Params{UPS: &config.UPS{Name: "ups"}}, driver.Options{Driver: "hung", PollInterval: 30 * time.Millisecond}, l)
	}()
	defer func() { cancel(); close(h.release); <-done }()
	pings := func(until time.Time) int { n, _ := watchdogPings(conn, until); return n }
	if n := pings(time.Now().Add(120 * time.Millisecond)); n == 0 {
		t.Fatal("no watchdog pings while the device answers")
	}
	<-h.hung
	pings(time.Now().Add(60 * time.Millisecond)) // one may be on its way
	if n := pings(time.Now().Add(500 * time.Millisecond)); n != 0 {
		t.Errorf("%d watchdog pings while the driver is stuck in the device: systemd would not restart it", n)
	}
}

// watchdogPings reads notifications until the deadline: how many were
// WATCHDOG=1, and the last of the others.
func watchdogPings(conn *net.UnixConn, until time.Time) (n int, last string) {
	buf := make([]byte, 4096)
	for {
		conn.SetReadDeadline(until)
		k, err := conn.Read(buf)
		if err != nil {
			return n, last
		}
		if s := string(buf[:k]); strings.Contains(s, "WATCHDOG=1") {
			n++
		} else {
			last = s
		}
	}
}

// selfTesting is a device whose self-test result changes.
type selfTesting struct {
	flaky
	result atomic.Value
}

func (d *selfTesting) Poll(ctx context.Context, s *driver.State) error {
	r, _ := d.result.Load().(string)
	s.Update(func(v *driver.Vars) {
		v.Set("ups.status", "OL")
		v.Set("ups.test.result", r)
	})
	return nil
}

// TestSelfTestResultLogged: a new ups.test.result is a journal entry with
// the history's MESSAGE_ID (a self-test ended); the result found when the
// driver starts is not.
func TestSelfTestResultLogged(t *testing.T) {
	t.Parallel()
	l, err := driversock.Listen(filepath.Join(t.TempDir(), "selftest-ups"))
	if err != nil {
		t.Fatal(err)
	}
	dev := &selfTesting{}
	dev.result.Store("Done and passed")
	rec := &testlog.Records{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- driver.Run(ctx, dev, driver.Params{UPS: &config.UPS{Name: "ups", Driver: "selftest"}},
			driver.Options{Driver: "selftest", PollInterval: 5 * time.Millisecond, Log: slog.New(rec)}, l)
	}()
	defer func() { cancel(); <-done }()
	time.Sleep(50 * time.Millisecond)
	if got := rec.Where("msg", "self-test result*"); len(got) != 0 {
		t.Fatalf("the result found at start was logged: %v", got)
	}
	dev.result.Store("In progress")
	time.Sleep(50 * time.Millisecond)
	dev.result.Store("Done and warning")
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Where("msg", "self-test result*")) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := rec.Where("msg", "self-test result*")
	if len(got) != 2 || got[1]["test_result"] != "Done and warning" || got[1]["message_id"] != events.TestResultID || got[1]["ups"] != "ups" {
		t.Errorf("logged %v", got)
	}
}

// TestAtolAsC: driver.Atol reads as C's atol: C's blanks skipped, a
// sign, the decimal digits that follow, else 0.
func TestAtolAsC(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"42": 42, " \t\n\v\f\r-7x": -7, "+3.9": 3, "0x1f": 0, "abc": 0, "": 0, "- 5": 0} {
		if got := driver.Atol(in); got != want {
			t.Errorf("Atol(%q) = %d, C says %d", in, got, want)
		}
	}
}
