package megatec_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/megatec"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
	"github.com/sysnut/sysnut/internal/upssim"
)

func TestParseQ1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, status string
		err        bool
	}{
		{"(230.4 140.0 229.8 023 50.0 2.27 30.5 00001001", "OL", false},
		{"(000.0 140.0 229.8 023 50.0 2.27 30.5 10001001", "OB", false},
		{"(000.0 140.0 229.8 023 50.0 2.27 30.5 11001001", "OB LB", false},
		{"(230.0 140.0 200.0 023 50.0 2.27 30.5 00101000", "OL TRIM", false},
		{"(230.0 140.0 230.0 023 50.0 2.27 30.5 00100000", "OL BYPASS", false},
		{"(200.0 140.0 230.0 023 50.0 2.27 30.5 00100000", "OL BOOST", false},
		{"(230.0 140.0 230.0 023 50.0 2.27 30.5 00010110", "OL ALARM CAL FSD", false},
		{"230.4 140.0 229.8 023 50.0 2.27 30.5 00001001", "", true},
		{"(230.4 140.0 229.8 023 50.0 2.27 30.5", "", true},
		{"(230.4 140.0 229.8 023 50.0 2.27 30.5 0000100", "", true},
		{"(230.4 140.0 229.8 023 50.0 2.27 30.5 0000100x", "", true},
		{"(230.4 abc 229.8 023 50.0 2.27 30.5 00001001", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		q, err := megatec.ParseQ1(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseQ1(%q) error = %v", tt.in, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, megatec.ErrBadReply) {
				t.Errorf("error %v does not wrap ErrBadReply", err)
			}
			continue
		}
		if q.Status() != tt.status {
			t.Errorf("ParseQ1(%q).Status() = %q, want %q", tt.in, q.Status(), tt.status)
		}
	}
}

func TestParseFAndI(t *testing.T) {
	t.Parallel()
	r, err := megatec.ParseF("#230.0 004 12.00 50.0")
	if err != nil || r != (megatec.Rating{Voltage: 230, Current: 4, BatteryVoltage: 12, Frequency: 50}) {
		t.Errorf("ParseF = %+v, %v", r, err)
	}
	i, err := megatec.ParseI("#MEGATEC         SIM-1000   V1.0      ")
	if err != nil || i != (megatec.Info{Mfr: "MEGATEC", Model: "SIM-1000", Firmware: "V1.0"}) {
		t.Errorf("ParseI = %+v, %v", i, err)
	}
	// NUT's own test reply (drivers/nutdrv_qx_megatec.c, testing table).
	i, err = megatec.ParseI("#NOT_A_LIVE_UPS  TESTING    TESTING   ")
	if err != nil || i != (megatec.Info{Mfr: "NOT_A_LIVE_UPS", Model: "TESTING", Firmware: "TESTING"}) {
		t.Errorf("ParseI of NUT's test reply = %+v, %v", i, err)
	}
	for _, bad := range []string{"230.0 004 12.00 50.0", "#230.0 004", "#a b c d"} {
		if _, err := megatec.ParseF(bad); err == nil {
			t.Errorf("ParseF(%q) accepted", bad)
		}
	}
	if _, err := megatec.ParseI("#short"); err == nil {
		t.Error("ParseI accepted a short reply")
	}
}

func TestShutdownCommand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		off, on int
		want    string
	}{
		{30, 180, "S.5R0003"}, {6, 0, "S.1R0000"}, {59, 60, "S.9R0001"}, {60, 0, "S01R0000"}, {600, 600, "S10R0010"},
	} {
		if got, err := megatec.ShutdownCommand(tt.off, tt.on); err != nil || got != tt.want {
			t.Errorf("ShutdownCommand(%d, %d) = %q, %v; want %q", tt.off, tt.on, got, err, tt.want)
		}
	}
	for _, bad := range [][2]int{{5, 0}, {99*60 + 1, 0}, {30, -1}} {
		if _, err := megatec.ShutdownCommand(bad[0], bad[1]); err == nil {
			t.Errorf("ShutdownCommand(%d, %d) accepted", bad[0], bad[1])
		}
	}
}

// rig runs the driver on a pty against the simulator, behind a Link.
type rig struct {
	t    *testing.T
	sim  *upssim.Megatec
	dev  string // a symlink to the current pty, as udev would keep
	link *driversock.Link
	mu   sync.Mutex
	trk  map[string]int
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, sim: upssim.NewMegatec(), trk: map[string]int{}}
	dir := t.TempDir()
	r.dev = filepath.Join(dir, "ttyUPS")
	r.plug()
	proto := megatec.NewWith(r.dev, megatec.OpenSerial, 300*time.Millisecond)
	sock := filepath.Join(dir, "nutdrv_qx-ups")
	l, err := driversock.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ups := &config.UPS{Name: "ups", Driver: "nutdrv_qx", Port: r.dev}
	done := make(chan struct{})
	go func() {
		defer close(done)
		driver.Run(ctx, proto, driver.Params{UPS: ups}, driver.Options{Driver: "nutdrv_qx",
			PollInterval: 50 * time.Millisecond, Retry: 50 * time.Millisecond,
			Log: slog.New(slog.NewTextHandler(logWriter{t}, nil))}, l)
	}()
	r.link = driversock.NewLink(driversock.LinkConfig{Path: sock, Retry: 20 * time.Millisecond,
		OnTracking: func(id string, st int) { r.mu.Lock(); r.trk[id] = st; r.mu.Unlock() }})
	go r.link.Run(ctx)
	t.Cleanup(func() { cancel(); <-done; r.sim.Unplug() })
	return r
}

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// plug starts the simulator on a fresh pty and points the device at it.
func (r *rig) plug() {
	slave, err := r.sim.Serve()
	if err != nil {
		r.t.Fatal(err)
	}
	os.Remove(r.dev)
	if err := os.Symlink(slave, r.dev); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) read() (status string, a driversock.Availability, tree map[string]string) {
	tree = map[string]string{}
	r.link.View(func(t *state.Tree, av driversock.Availability, _ bool) {
		a = av
		for _, v := range t.Vars() {
			tree[v.Name] = v.Value
		}
	})
	return tree["ups.status"], a, tree
}

func (r *rig) await(what string, ok func(status string, a driversock.Availability) bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, a, _ := r.read()
		if ok(st, a) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s (status %q, availability %v)", what, st, a)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *rig) status(want string) {
	r.t.Helper()
	r.await("ups.status "+want, func(st string, a driversock.Availability) bool {
		return st == want && a == driversock.Available
	})
}

func (r *rig) stale() {
	r.t.Helper()
	r.await("stale data", func(_ string, a driversock.Availability) bool { return a == driversock.Stale })
}

func (r *rig) cmd(line, id string) int {
	r.t.Helper()
	if err := r.link.Send(line + " TRACKING " + id); err != nil {
		r.t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		st, ok := r.trk[id]
		r.mu.Unlock()
		if ok {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.t.Fatalf("no TRACKING reply to %q", line)
	return -1
}

func TestMegatecOverPTY(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.status("OL")
	_, _, tree := r.read()
	for k, want := range map[string]string{
		// As NUT's nutdrv_qx names them; TestMegatecMatchesNUT compares
		// with it line by line.
		"device.mfr": "MEGATEC", "device.model": "SIM-1000", "ups.firmware": "V1.0",
		"input.voltage": "230.4", "output.voltage": "229.8", "ups.load": "23", "battery.voltage": "2.27",
		"input.voltage.nominal": "230", "battery.voltage.nominal": "12.0", "ups.type": "offline / line interactive",
		"ups.beeper.status": "enabled", "ups.delay.shutdown": "30", "ups.delay.start": "180",
		"battery.voltage.low": "10.40", "battery.voltage.high": "13.00", "battery.charge": "100",
	} {
		if tree[k] != want {
			t.Errorf("%s = %q, want %q", k, tree[k], want)
		}
	}

	r.sim.SetMains(false)
	r.status("OB")
	r.sim.SetLowBattery(true)
	r.status("OB LB")
	r.sim.SetMains(true)
	r.sim.SetLowBattery(false)
	r.status("OL")

	for _, f := range []upssim.Fault{upssim.Garbage, upssim.Truncated, upssim.Silent} {
		t.Log("fault", f)
		r.sim.SetFault(f)
		r.stale()
		r.sim.SetFault(upssim.None)
		r.status("OL")
	}

	t.Log("unplug")
	r.sim.Unplug()
	r.stale()
	r.plug()
	t.Log("replugged")
	r.status("OL")

	t.Log("cable pulled in the middle of a reply")
	r.sim.SetFault(upssim.PulledMidReply)
	r.stale()
	r.sim.SetFault(upssim.None)
	r.plug()
	r.status("OL")

	steps := []struct {
		line string
		want int
	}{
		{"INSTCMD test.battery.start.quick", driversock.StatusHandled},
		{"INSTCMD test.battery.start 10", driversock.StatusHandled},
		{"INSTCMD test.battery.start 100", driversock.StatusInvalid},
		{"INSTCMD test.battery.stop", driversock.StatusHandled},
		{"INSTCMD beeper.toggle", driversock.StatusHandled},
		{"INSTCMD shutdown.return", driversock.StatusHandled},
		{"INSTCMD shutdown.stayoff", driversock.StatusHandled},
		{"INSTCMD load.off", driversock.StatusHandled},
		{"INSTCMD nosuch.cmd", driversock.StatusUnknown},
		{`SET ups.delay.shutdown "120"`, driversock.StatusHandled},
		{"INSTCMD shutdown.return", driversock.StatusHandled},
		{`SET ups.delay.shutdown "2"`, driversock.StatusInvalid},
	}
	for i, s := range steps {
		if got := r.cmd(s.line, "ID"+string(rune('A'+i))); got != s.want {
			t.Errorf("%s: status %d, want %d", s.line, got, s.want)
		}
	}
	r.sim.Reject("C")
	if got := r.cmd("INSTCMD load.on", "REJ"); got != driversock.StatusFailed {
		t.Errorf("a command echoed back by the UPS: status %d, want failed", got)
	}
	want := []string{"T", "T10", "CT", "Q", "S.5R0003", "S.5R0000", "S00R0000", "S02R0003", "C"}
	if got := r.sim.Received(); !reflect.DeepEqual(got, want) {
		t.Errorf("UPS received %q\nwant %q", got, want)
	}
}

func FuzzParseQ1(f *testing.F) {
	f.Add("(230.4 140.0 229.8 023 50.0 2.27 30.5 00001001")
	f.Add("(000.0 000.0 000.0 000 00.0 0.00 00.0 11111111")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := megatec.ParseQ1(s)
		if err != nil {
			if !errors.Is(err, megatec.ErrBadReply) {
				t.Fatalf("error %v does not wrap ErrBadReply", err)
			}
			return
		}
		if st := q.Status(); st == "" || (st[:2] != "OL" && st[:2] != "OB") {
			t.Fatalf("status %q", st)
		}
		_, _ = megatec.ParseF(s)
		_, _ = megatec.ParseI(s)
	})
}

// TestUPSConfOptions: NUT's nutdrv_qx keys change what the driver asks
// and reports: norating/novendor skip F and I, ignoresab drops the FSD
// that the "shutdown active" bit would raise, stayoff makes -k leave the
// output off; protocol and cablepower are checked.
func TestUPSConfOptions(t *testing.T) {
	t.Parallel()
	open := func(flags []string, params ...config.Param) (*upssim.Megatec, driver.Protocol, *driver.State) {
		sim := upssim.NewMegatec()
		slave, err := sim.Serve()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sim.Unplug)
		ups := &config.UPS{Name: "ups", Driver: "nutdrv_qx", Port: slave, Flags: flags,
			Params: append([]config.Param{{Key: "port", Value: slave}}, params...)}
		p, err := megatec.New(driver.Params{UPS: ups})
		if err != nil {
			t.Fatal(err)
		}
		st := driver.NewTestState(p, ups)
		if err := p.Connect(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return sim, p, st
	}

	sim, p, st := open([]string{"norating", "novendor", "ignoresab", "stayoff"})
	if sim.Asked("F") != 0 || sim.Asked("I") != 0 {
		t.Errorf("norating/novendor: F asked %d times, I %d times", sim.Asked("F"), sim.Asked("I"))
	}
	if _, ok := st.Get("device.mfr"); ok {
		t.Error("novendor: device.mfr published")
	}
	if _, ok := st.Get("input.voltage.nominal"); ok {
		t.Error("norating: input.voltage.nominal published")
	}
	sim.SetShutdownActive(true)
	if err := p.Poll(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Get("ups.status"); s != "OL" {
		t.Errorf("ignoresab: ups.status %q, want OL", s)
	}
	if err := p.(driver.Killer).KillPower(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := sim.Received(); len(r) != 1 || r[0] != "S.5R0000" {
		t.Errorf("stayoff: -k sent %q, want S.5R0000 (offdelay 30 s, stay off)", r)
	}

	sim, p, st = open(nil)
	if sim.Asked("F") != 1 || sim.Asked("I") != 1 {
		t.Errorf("by default F and I are asked once each: %d, %d", sim.Asked("F"), sim.Asked("I"))
	}
	sim.SetShutdownActive(true)
	if err := p.Poll(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Get("ups.status"); s != "OL FSD" {
		t.Errorf("without ignoresab: ups.status %q, want OL FSD", s)
	}
	if err := p.(driver.Killer).KillPower(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := sim.Received(); len(r) != 1 || r[0] != "S.5R0003" {
		t.Errorf("-k sent %q, want S.5R0003 (ondelay 180 s)", r)
	}

	for _, tc := range []struct{ key, value, want string }{
		{"protocol", "voltronic", `protocol "voltronic": sysnut speaks megatec (Q1) only`},
		{"cablepower", "sideways", `cablepower "sideways": want normal, reverse, both or none`},
	} {
		ups := &config.UPS{Name: "ups", Driver: "nutdrv_qx", Port: "/dev/null", Params: []config.Param{{Key: tc.key, Value: tc.value}}}
		if _, err := megatec.New(driver.Params{UPS: ups}); err == nil || err.Error() != tc.want {
			t.Errorf("%s = %s: %v, want %q", tc.key, tc.value, err, tc.want)
		}
	}
	for _, cp := range []string{"normal", "reverse", "both", "none", "Reverse"} {
		ups := &config.UPS{Name: "ups", Driver: "nutdrv_qx", Port: "/dev/null", Params: []config.Param{{Key: "cablepower", Value: cp}, {Key: "protocol", Value: "megatec"}}}
		if _, err := megatec.New(driver.Params{UPS: ups}); err != nil {
			t.Errorf("cablepower = %s: %v", cp, err)
		}
	}
}
