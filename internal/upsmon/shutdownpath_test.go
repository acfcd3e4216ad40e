package upsmon_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// waitFor polls cond for up to 5 s; the monitors under test poll every
// 50 ms, so this bounds a failure, not the speed of a pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// primaryOf starts a test rig and returns it with an upsmon.conf that
// monitors its UPS as primary, followed by extra lines.
func primaryOf(t *testing.T, extra string) (*testrig.Rig, *config.UpsmonConf) {
	rig := testrig.Start(t, testrig.Options{})
	host, port, _ := net.SplitHostPort(rig.Addr)
	return rig, conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\n", host, port)+extra)
}

// background runs r until the returned stop is called, and waits for it.
func background(r *upsmon.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return func() { cancel(); <-done }
}

// fastRunner returns a Runner that polls every 50 ms, logging to logs.
func fastRunner(t *testing.T, c *config.UpsmonConf, p upsmon.Power, logs *testlog.Buffer) *upsmon.Runner {
	log := slog.New(slog.NewTextHandler(logs, nil))
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, p, log, filepath.Join(t.TempDir(), "killpower"))
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		return upsmon.Sleep(ctx, min(d, 50*time.Millisecond))
	}
	r.BootID = func() (string, error) { return "this-boot", nil }
	return r
}

// TestReloadKeepsState: a reload in the middle of a power failure must
// not forget it. Before, the runner was rebuilt: the power-off scheduled
// with logind was never cancelled when mains returned, and ONBATT was
// announced a second time.
func TestReloadKeepsState(t *testing.T) {
	t.Parallel()
	rig, c := primaryOf(t, "SCHEDULESHUTDOWN 120\n")
	p := &schedPower{}
	var logs testlog.Buffer
	r := fastRunner(t, c, p, &logs)
	stop := background(r)

	rig.SetStatus("OB")
	waitFor(t, "the power-off to be scheduled", func() bool { return p.seen() == "schedule poweroff" })
	next := *c
	next.NotifyMsg = map[string]string{"ONLINE": "mains back on %s"}
	r.Reload(&next)
	waitFor(t, "the reload", func() bool { return strings.Contains(logs.String(), "configuration reloaded") })
	time.Sleep(200 * time.Millisecond) // a few polls on battery after the reload
	rig.SetStatus("OL")
	waitFor(t, "the cancellation", func() bool { return p.seen() == "schedule poweroff,cancel" })
	waitFor(t, "ONLINE", func() bool { return strings.Contains(logs.String(), "mains back on") })
	stop()
	if n := strings.Count(logs.String(), "notifytype=ONBATT"); n != 1 {
		t.Errorf("ONBATT announced %d times across a reload, want 1\n%s", n, logs.String())
	}
}

// TestStopCancelsSchedule: a monitor that stops while its power-off is
// scheduled cancels it, since nobody would be left to cancel it.
func TestStopCancelsSchedule(t *testing.T) {
	t.Parallel()
	rig, c := primaryOf(t, "SCHEDULESHUTDOWN 120\n")
	rig.SetStatus("OB")
	p := &schedPower{}
	var logs testlog.Buffer
	r := fastRunner(t, c, p, &logs)
	stop := background(r)
	waitFor(t, "the power-off to be scheduled", func() bool { return p.seen() == "schedule poweroff" })
	stop()
	if got := p.seen(); got != "schedule poweroff,cancel" {
		t.Errorf("logind calls %q, want the schedule cancelled at stop", got)
	}
}

// TestReloadCarriesDeadtime: on the pure monitor, a reload keeps when
// contact was lost, so DEADTIME still ends on time, and keeps "ever
// reached", so a UPS lost on battery is still critical.
func TestReloadCarriesDeadtime(t *testing.T) {
	t.Parallel()
	c := conf(t, primary+"DEADTIME 15\n")
	now := time.Unix(1e9, 0)
	var notes []string
	m := upsmon.NewMonitor(c, func(_ context.Context, typ, _ string) { notes = append(notes, typ) }, func() time.Time { return now })
	ctx := context.Background()
	m.Observe(ctx, m.UPS[0], "OB", nil)
	now = now.Add(10 * time.Second)
	m.Observe(ctx, m.UPS[0], "", fmt.Errorf("ERR DATA-STALE"))
	if dropped := m.Reload(conf(t, primary+"DEADTIME 15\nMONITOR other@host 0 u p secondary\n")); len(dropped) != 0 {
		t.Fatalf("reload dropped %d UPS", len(dropped))
	}
	now = now.Add(6 * time.Second)
	m.Observe(ctx, m.UPS[0], "", fmt.Errorf("ERR DATA-STALE"))
	if down, why := m.ShutdownNeeded(); !down {
		t.Errorf("lost on battery for 16 s > DEADTIME 15 across a reload: no shutdown (%s)", why)
	}
	if strings.Count(strings.Join(notes, " "), "ONBATT") != 1 {
		t.Errorf("notifications %v", notes)
	}
	dropped := m.Reload(conf(t, "MONITOR other@host 1 u p secondary\n"))
	if len(dropped) != 1 || dropped[0].System != "ups@localhost" || len(m.UPS) != 1 {
		t.Errorf("dropping a MONITOR line: dropped %v, kept %d", dropped, len(m.UPS))
	}
}

// TestDryRunTouchesNothing: a dry run decides to shut down and says what
// it would do, but sends no FSD (which would shut every secondary down),
// writes no flag and calls nothing.
func TestDryRunTouchesNothing(t *testing.T) {
	t.Parallel()
	rig, c := primaryOf(t, "FINALDELAY 0\nSCHEDULESHUTDOWN 60\n")
	rig.SetStatus("OB LB")
	p := &schedPower{}
	var logs testlog.Buffer
	r := fastRunner(t, c, p, &logs)
	r.DryRun = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{"dry run: would set FSD", "dry run: would set the killpower flag", "would schedule a power-off", "would power off"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q\n%s", want, out)
		}
	}
	if p.Calls() != 0 || p.seen() != "" {
		t.Errorf("dry run called logind: %d power-offs, %q", p.Calls(), p.seen())
	}
	if _, err := os.Stat(r.Flag); err == nil {
		t.Error("dry run wrote the killpower flag")
	}
	if got := testrig.Ask(t, rig.Addr, "GET VAR ups ups.status\n"); !strings.Contains(got, `"OB LB"`) || strings.Contains(got, "FSD") {
		t.Errorf("dry run changed the UPS on the server: %q", got)
	}
}

// TestStaleFlagRemoved: a killpower flag left by an earlier run is removed
// when the monitor starts; and one from another boot, or one written by
// hand without a boot ID, never counts as set.
func TestStaleFlagRemoved(t *testing.T) {
	t.Parallel()
	_, c := primaryOf(t, "")
	var logs testlog.Buffer
	r := fastRunner(t, c, &testrig.Power{}, &logs)
	if err := upsmon.WriteFlag(r.Flag, "this-boot"); err != nil {
		t.Fatal(err)
	}
	if !upsmon.FlagSet(r.Flag, "this-boot") {
		t.Fatal("flag written for this boot is not set")
	}
	if upsmon.FlagSet(r.Flag, "another-boot") {
		t.Error("a flag from another boot counts as set")
	}
	stop := background(r)
	waitFor(t, "the stale flag to go", func() bool { _, err := os.Stat(r.Flag); return os.IsNotExist(err) })
	stop()
	if !strings.Contains(logs.String(), "removed: left by an earlier run") {
		t.Errorf("removal not logged\n%s", logs.String())
	}
	if err := os.WriteFile(r.Flag, []byte(upsmon.FlagContent), 0o644); err != nil {
		t.Fatal(err)
	}
	if upsmon.FlagSet(r.Flag, "this-boot") {
		t.Error("a flag without a boot ID counts as set")
	}
}

// TestFlagClearedWhenMainsReturns: a flag that appears while on battery
// (a power-off requested and then not carried out) goes when mains is back.
func TestFlagClearedWhenMainsReturns(t *testing.T) {
	t.Parallel()
	rig, c := primaryOf(t, "")
	var logs testlog.Buffer
	r := fastRunner(t, c, &testrig.Power{}, &logs)
	stop := background(r)
	rig.SetStatus("OB")
	waitFor(t, "ONBATT", func() bool { return strings.Contains(logs.String(), "notifytype=ONBATT") })
	if err := upsmon.WriteFlag(r.Flag, "this-boot"); err != nil {
		t.Fatal(err)
	}
	rig.SetStatus("OL")
	waitFor(t, "the flag to go", func() bool { _, err := os.Stat(r.Flag); return os.IsNotExist(err) })
	stop()
}

// TestFlagWrittenOnlyAfterPowerOff: while logind refuses the power-off,
// there is no flag; it appears once the power-off was requested.
func TestFlagWrittenOnlyAfterPowerOff(t *testing.T) {
	t.Parallel()
	rig, c := primaryOf(t, "FINALDELAY 0\n")
	rig.SetStatus("OB LB")
	var logs testlog.Buffer
	p := &flagCheckPower{}
	r := fastRunner(t, c, p, &logs)
	p.flag = r.Flag
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if p.seenFlag {
		t.Error("the killpower flag existed while the power-off had not been granted")
	}
	if !upsmon.FlagSet(r.Flag, "this-boot") {
		t.Error("no killpower flag after the power-off was requested")
	}
}

// flagCheckPower refuses once and records whether the flag existed at
// either call.
type flagCheckPower struct {
	flag     string
	calls    int
	seenFlag bool
}

func (p *flagCheckPower) PowerOff(context.Context) error {
	if _, err := os.Stat(p.flag); err == nil {
		p.seenFlag = true
	}
	p.calls++
	if p.calls == 1 {
		return fmt.Errorf("interactive authentication required")
	}
	return nil
}

// TestSlowNotificationsDoNotDelay: a NOTIFYCMD that hangs must not hold
// up the reaction to OB LB (before, each notification ran inside the
// decision loop). The command is still hanging when the power-off comes.
func TestSlowNotificationsDoNotDelay(t *testing.T) {
	t.Parallel()
	rig, c := primaryOf(t, "FINALDELAY 0\nNOTIFYCMD /bin/notify\n"+
		"NOTIFYFLAG ONBATT SYSLOG+EXEC\nNOTIFYFLAG LOWBATT SYSLOG+EXEC\nNOTIFYFLAG SHUTDOWN SYSLOG+EXEC\n")
	var logs testlog.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	release := make(chan struct{})
	var mu sync.Mutex
	var started []string
	n := &upsmon.Notifier{Conf: c, Log: log, Exec: func(ctx context.Context, _, typ, _, _ string) error {
		mu.Lock()
		started = append(started, typ)
		mu.Unlock()
		<-release
		return nil
	}}
	p := &testrig.Power{}
	r := upsmon.NewRunner(c, n, p, log, filepath.Join(t.TempDir(), "killpower"))
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		return upsmon.Sleep(ctx, min(d, 50*time.Millisecond))
	}
	r.BootID = func() (string, error) { return "b", nil }
	rig.SetStatus("OB LB")
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	waitFor(t, "the power-off", func() bool { return p.Calls() == 1 })
	mu.Lock()
	got := strings.Join(started, ",")
	mu.Unlock()
	close(release) // Run waits for its notifications before it returns
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got == "" {
		t.Error("no NOTIFYCMD was started")
	}
}

// TestDebianStockFiles: Debian's stock upsmon.conf names a flag under /etc
// and "/sbin/shutdown -h +0": the sandboxed, unprivileged monitor keeps
// the flag in /run/sysnut (upsmon -K maps it the same way) and asks
// logind to power off, instead of failing to run shutdown as a user and
// letting the battery die.
func TestDebianStockFiles(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want, note string }{
		{"", upsmon.DefaultFlag, ""},
		{"/run/sysnut/kp", "/run/sysnut/kp", ""},
		{"/tmp/x/killpower", "/tmp/x/killpower", ""},
		{"/etc/killpower", upsmon.DefaultFlag, "POWERDOWNFLAG /etc/killpower is under /etc"},
	} {
		got, note := upsmon.FlagPath(tt.in)
		if got != tt.want || !strings.HasPrefix(note, tt.note) || (tt.note == "") != (note == "") {
			t.Errorf("FlagPath(%q) = %q, %q", tt.in, got, note)
		}
	}
	for cmd, stock := range map[string]bool{
		"/sbin/shutdown -h +0": true, "shutdown -P now": true, "/sbin/poweroff": true, "systemctl poweroff": true,
		"/usr/bin/systemctl --no-wall poweroff": true, "halt": true,
		"shutdown -r now": false, "/usr/local/bin/my-shutdown": false, "": false, "systemctl reboot": false,
	} {
		if upsmon.StockShutdown(cmd) != stock {
			t.Errorf("StockShutdown(%q) = %v", cmd, !stock)
		}
	}
	for _, tt := range []struct{ cmd, why string }{
		{"/sbin/shutdown -h +0", "a stock shutdown command is logind's job"},
		{"/bin/false", "a custom command that fails is followed by logind"},
	} {
		_, c := primaryOf(t, "FINALDELAY 0\nSHUTDOWNCMD \""+tt.cmd+"\"\n")
		var logs testlog.Buffer
		p := &testrig.Power{}
		r := fastRunner(t, c, p, &logs)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r.Force = closedChan()
		if err := r.Run(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		if p.Calls() != 1 {
			t.Errorf("%s: logind PowerOff called %d times, want 1 (%s)\n%s", tt.cmd, p.Calls(), tt.why, logs.String())
		}
	}
}

// closedChan fires at once: a forced shutdown (upsmon -c fsd).
func closedChan() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}
