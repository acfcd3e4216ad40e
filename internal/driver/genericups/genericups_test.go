package genericups_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	gu "github.com/sysnut/sysnut/internal/driver/genericups"
	"github.com/sysnut/sysnut/internal/driversock"
	ml "github.com/sysnut/sysnut/internal/modemlines"
	"github.com/sysnut/sysnut/internal/state"
	"github.com/sysnut/sysnut/internal/testlog"
)

// fakeLines is a serial port whose input lines the test sets.
type fakeLines struct {
	mu      sync.Mutex
	bits    int
	changed chan struct{}
	breaks  int
	sets    []int
}

func newFake(bits int) *fakeLines { return &fakeLines{bits: bits, changed: make(chan struct{}, 1)} }

func (f *fakeLines) Get() (int, error) { f.mu.Lock(); defer f.mu.Unlock(); return f.bits, nil }

func (f *fakeLines) Set(b int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bits = f.bits&^(ml.DTR|ml.RTS) | b&(ml.DTR|ml.RTS)
	f.sets = append(f.sets, b)
	return nil
}

func (f *fakeLines) Break() error { f.mu.Lock(); f.breaks++; f.mu.Unlock(); return nil }

// Wait returns on a change of any line, like TIOCMIWAIT with the mask.
func (f *fakeLines) Wait(ctx context.Context, mask int, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.changed:
	case <-t.C:
	case <-ctx.Done():
	}
	return nil
}

func (f *fakeLines) Close() error { return nil }

// input sets the input lines, as the UPS's relays do.
func (f *fakeLines) input(bits int) {
	f.mu.Lock()
	f.bits = f.bits&(ml.DTR|ml.RTS) | bits
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// specTable is the cable table as ../shared/spec/drivers.md gives it,
// parsed independently of the driver's own table.
var specTable = []struct{ cp, ol, lb, sd string }{
	{"DTR+RTS", "CTS=0", "CD=1", "RTS"}, {"DTR", "RNG=0", "CD=1", "RTS"}, {"RTS", "CTS=0", "CD=1", "DTR+RTS"},
	{"DTR", "CTS=0", "CD=1", "DTR+RTS"}, {"RTS", "CTS=1", "CD=0", "0"}, {"DTR", "CTS=1", "CD=0", "DTR+RTS"},
	{"DTR", "CTS=1", "CD=0", "RTS"}, {"RTS", "CTS=1", "CD=0", "DTR"}, {"DTR", "CTS=1", "CD=0", "-1"},
	{"0", "CD=0", "CTS=1", "RTS"}, {"RTS", "CTS=1", "CD=0", "DTR"}, {"DTR", "CTS=0", "CD=0", "ST"},
	{"RTS", "CTS=0", "CD=1", "DTR"}, {"DTR+RTS", "CD=1", "CTS=0", "ST"}, {"DTR", "CD=1", "CTS=0", "RTS"},
	{"DTR", "CTS=1", "CD=0", "ST"}, {"DTR+RTS", "CTS=1", "CD=0", "-1"}, {"DTR", "CTS=1", "CD=0", "-1"},
	{"DTR", "CTS=1", "CD=1", "-1"}, {"DTR", "CTS=1", "CD=0", "RTS"}, {"DTR", "CTS=0", "CD=1", "ST"},
	{"RTS", "CTS=1", "CD=0", "RTS+DTR"}, {"RTS", "CTS=1", "CD=0", "DTR"}, {"RTS", "CTS=1", "CD=0", "0"},
}

func specBits(t *testing.T, s string) int {
	if s == "0" || s == "-1" {
		return 0
	}
	b := 0
	for _, n := range strings.Split(s, "+") {
		b |= map[string]int{"DTR": ml.DTR, "RTS": ml.RTS, "ST": ml.ST, "CTS": ml.CTS, "CD": ml.DCD, "RNG": ml.RNG}[n]
	}
	if b == 0 {
		t.Fatalf("bad spec signal %q", s)
	}
	return b
}

func specInput(t *testing.T, s string) gu.Input {
	line, val, _ := strings.Cut(s, "=")
	b := specBits(t, line)
	if val == "1" {
		return gu.Input{Mask: b, Val: b}
	}
	return gu.Input{Mask: b}
}

func TestCableTableMatchesSpec(t *testing.T) {
	t.Parallel()
	if len(gu.Cables) != len(specTable) {
		t.Fatalf("%d cables, spec has %d", len(gu.Cables), len(specTable))
	}
	for i, s := range specTable {
		c := gu.Cables[i]
		if c.CP != specBits(t, s.cp) || c.OL != specInput(t, s.ol) || c.LB != specInput(t, s.lb) ||
			c.SD != specBits(t, s.sd) || c.NoKillPower != (s.sd == "-1") {
			t.Errorf("upstype %d (%s) = %+v, spec says %+v", i, c.Model, c, s)
		}
	}
	if c := gu.Cables[23]; c.RB != (gu.Input{Mask: ml.RNG}) || c.Bypass != (gu.Input{Mask: ml.DSR}) {
		t.Errorf("Generic FTTx RB/BYPASS = %+v %+v", c.RB, c.Bypass)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	c := gu.Cables[0] // OL when CTS=0, LB when CD=1
	for _, tt := range []struct {
		bits int
		want string
	}{
		{0, "OL"}, {ml.CTS, "OB"}, {ml.CTS | ml.DCD, "LB OB"}, {ml.DCD, "LB OL"},
	} {
		if got := c.Status(tt.bits); got != tt.want {
			t.Errorf("Status(%#x) = %q, want %q", tt.bits, got, tt.want)
		}
	}
	ftth := gu.Cables[23]
	if got := ftth.Status(ml.CTS | ml.DCD); got != "OL RB BYPASS" {
		t.Errorf("FTTx: %q", got)
	}
	if got := (gu.Cable{LB: gu.Input{Mask: ml.DCD, Val: ml.DCD}}).Status(0); got != "OL" {
		t.Errorf("a cable without OL line is always on line: %q", got)
	}
}

func params(kv ...string) driver.Params {
	u := &config.UPS{Name: "ups", Driver: "genericups"}
	for i := 0; i+1 < len(kv); i += 2 {
		u.Params = append(u.Params, config.Param{Key: kv[i], Value: kv[i+1]})
	}
	return driver.Params{UPS: u, ConfDir: "testdata"}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	c, dev, err := gu.ConfigureCable(params("port", "/dev/ttyS0", "upstype", "4", "CP", "DTR+RTS", "SD", "ST",
		"OL", "-DSR", "LB", "RNG+DCD", "BYPASS", "none", "model", "Custom"))
	if err != nil {
		t.Fatal(err)
	}
	want := gu.Cable{Mfr: "Generic", Model: "Custom", Desc: "Generic RUPS model", CP: ml.DTR | ml.RTS, SD: ml.ST, OL: gu.Input{Mask: ml.DSR},
		LB: gu.Input{Mask: ml.RNG | ml.DCD, Val: ml.RNG | ml.DCD}}
	if c != want || dev != "/dev/ttyS0" {
		t.Errorf("cable = %+v, want %+v", c, want)
	}
	for _, bad := range [][]string{
		{"upstype", "24"}, {"upstype", "x"}, {}, {"upstype", "1", "CP", "CTS"}, {"upstype", "1", "OL", "DTR"},
		{"upstype", "1", "SD", "-RTS"},
	} {
		if _, _, err := gu.ConfigureCable(params(append([]string{"port", "/dev/ttyS0"}, bad...)...)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestPowstatd(t *testing.T) {
	t.Parallel()
	c, dev, err := gu.ConfigureCable(params("powstatd", "powstatd.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if dev != "/dev/ttyS1" || c.OL != (gu.Input{Mask: ml.CTS, Val: ml.CTS}) || c.LB != (gu.Input{Mask: ml.DCD}) ||
		c.CP != ml.RTS || c.SD != ml.DTR || c.NoKillPower {
		t.Errorf("powstatd.conf gave %+v on %q", c, dev)
	}
	if c.Status(0) != "LB OB" || c.Status(ml.CTS|ml.DCD) != "OL" {
		t.Errorf("fail cts 0 / low dcd 0: %q %q", c.Status(0), c.Status(ml.CTS|ml.DCD))
	}
	_, _, err = gu.ParsePowstatd("bad.conf", []byte("watch ttyS0\nfail cts 2\nlow rts 0\nslave other\nkill break\n"))
	for _, want := range []string{"bad.conf:2:", "bad.conf:3:", "bad.conf:4:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %s in %v", want, err)
		}
	}
}

func TestKillPower(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		upstype            int
		wantSet, wantBreak bool
		err                error
	}{
		{0, true, false, nil}, {11, false, true, nil}, {8, false, false, driver.ErrNoKillPower}, {4, true, false, nil},
	} {
		f := newFake(0)
		var slept time.Duration
		g := gu.NewWith(gu.Cables[tt.upstype], "fake", func(string) (gu.Lines, error) { return f, nil }, 3*time.Second,
			func(d time.Duration) { slept = d })
		s := driver.NewTestState(g, &config.UPS{Name: "ups"})
		if err := g.Connect(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		err := g.KillPower(context.Background())
		if !errors.Is(err, tt.err) {
			t.Errorf("upstype %d: KillPower = %v, want %v", tt.upstype, err, tt.err)
			continue
		}
		f.mu.Lock()
		set := len(f.sets) == 2 && f.sets[1] == gu.Cables[tt.upstype].SD
		if set != tt.wantSet || (f.breaks == 1) != tt.wantBreak || f.sets[0] != gu.Cables[tt.upstype].CP {
			t.Errorf("upstype %d: sets %v breaks %d", tt.upstype, f.sets, f.breaks)
		}
		f.mu.Unlock()
		if tt.err == nil && slept != 3*time.Second {
			t.Errorf("upstype %d: slept %v after SD, want sdtime", tt.upstype, slept)
		}
	}
}

func TestTestMode(t *testing.T) {
	t.Parallel()
	f := newFake(ml.DTR)
	var out testlog.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- gu.TestLines(ctx, f, gu.Cables[0], &out, time.Second) }()
	waitFor(t, &out, "OL\n")
	f.input(ml.CTS)
	waitFor(t, &out, "OB\n")
	f.input(ml.CTS | ml.DCD)
	waitFor(t, &out, "LB OB\n")
	cancel()
	<-done
	want := "CTS DSR DCD RNG DTR RTS  STATUS\n" +
		" 0   0   0   0   1   0   OL\n" +
		" 1   0   0   0   1   0   OB\n" +
		" 1   0   1   0   1   0   LB OB\n"
	if out.String() != want {
		t.Errorf("test mode printed\n%s\nwant\n%s", out.String(), want)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sets) != 0 || f.breaks != 0 {
		t.Error("test mode acted on the lines")
	}
}

func waitFor(t *testing.T, b *testlog.Buffer, suffix string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.HasSuffix(b.String(), suffix) {
		if time.Now().After(deadline) {
			t.Fatalf("output never ended in %q:\n%s", suffix, b.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// rig runs the driver with fake lines behind a driver socket Link, with a
// poll interval far longer than the test: only TIOCMIWAIT-style wakeups
// can make changes arrive in time.
func rig(tb testing.TB) (*fakeLines, func() string) {
	f := newFake(0)
	g := gu.NewWith(gu.Cables[0], "fake", func(string) (gu.Lines, error) { return f, nil }, 0, func(time.Duration) {})
	sock := filepath.Join(tb.TempDir(), "genericups-ups")
	l, err := driversock.Listen(sock)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		driver.Run(ctx, g, driver.Params{UPS: &config.UPS{Name: "ups"}}, driver.Options{Driver: "genericups", PollInterval: time.Hour}, l)
	}()
	link := driversock.NewLink(driversock.LinkConfig{Path: sock, Retry: 5 * time.Millisecond})
	go func() { defer wg.Done(); link.Run(ctx) }()
	tb.Cleanup(func() { cancel(); wg.Wait() })
	status := func() (s string) {
		link.View(func(t *state.Tree, a driversock.Availability, _ bool) {
			if v := t.Get("ups.status"); v != nil && a == driversock.Available {
				s = v.Value
			}
		})
		return
	}
	return f, status
}

func TestLineChangeReachesUpsdWithoutPolling(t *testing.T) {
	t.Parallel()
	f, status := rig(t)
	for _, step := range []struct {
		bits int
		want string
	}{{0, "OL"}, {ml.CTS, "OB"}, {ml.CTS | ml.DCD, "LB OB"}, {0, "OL"}} {
		f.input(step.bits)
		deadline := time.Now().Add(2 * time.Second)
		for status() != step.want {
			if time.Now().After(deadline) {
				t.Fatalf("status %q never reached upsd's side (poll interval is an hour)", step.want)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// BenchmarkLineChangeToUpsd measures, per operation, one modem line change
// made on a fake port (no serial hardware, no TIOCMIWAIT: the fake wakes
// the driver's Wait at once) until upsd's Link mirrors the new ups.status:
// the driver's wake-up, reading the lines, publishing, the driver socket
// and the Link. The loop checks every 20 µs, so up to that much is added.
func BenchmarkLineChangeToUpsd(b *testing.B) {
	f, status := rig(b)
	for status() != "OL" {
		time.Sleep(time.Millisecond)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bits, want := ml.CTS, "OB"
		if i%2 == 1 {
			bits, want = 0, "OL"
		}
		f.input(bits)
		for status() != want {
			time.Sleep(20 * time.Microsecond)
		}
	}
}

func FuzzParsePowstatd(f *testing.F) {
	f.Add([]byte("watch ttyS0\nfail cts 0\nlow dcd 0\ninit rts 1\nkill dtr 1\n"))
	f.Add([]byte("fail rng 1 # comment\nkill break\nmaster\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := gu.ParsePowstatd("powstatd.conf", data)
		if err == nil {
			return
		}
		for _, l := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(l, "powstatd.conf") {
				t.Fatalf("error without file name: %q", l)
			}
		}
	})
}

func TestPowstatdOverlongLine(t *testing.T) {
	data := []byte("fail cts 0\n" + strings.Repeat("x", 70000) + "\n")
	_, _, err := gu.ParsePowstatd("powstatd.conf", data)
	if err == nil || !strings.Contains(err.Error(), "powstatd.conf:2: bufio.Scanner: token too long") {
		t.Fatalf("err = %v", err)
	}
}
