package dbusapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/dbusapi"
	"github.com/sysnut/sysnut/internal/dbustest"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/polkit"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsctl"

	"github.com/sysnut/sysnut/internal/upsbus"
)

// fakeAuthority is polkitd's Authority on the private bus: it grants the
// actions in allow and records every question.
type fakeAuthority struct {
	mu    sync.Mutex
	allow map[string]bool
	asked []string
}

type subject struct {
	Kind    string
	Details map[string]dbus.Variant
}

type result struct {
	Authorized, Challenge bool
	Details               map[string]string
}

func (f *fakeAuthority) CheckAuthorization(s subject, action string, details map[string]string, flags uint32, cancel string) (result, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name, _ := s.Details["name"].Value().(string)
	keys := make([]string, 0, len(details))
	for k, v := range details {
		keys = append(keys, k+"="+v)
	}
	slices.Sort(keys)
	f.asked = append(f.asked, s.Kind+":"+name+" "+action+" "+strings.Join(keys, ",")+" flags="+string(rune('0'+flags)))
	return result{Authorized: f.allow[action]}, nil
}

func (f *fakeAuthority) set(action string, ok bool) { f.mu.Lock(); f.allow[action] = ok; f.mu.Unlock() }
func (f *fakeAuthority) questions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

type fixture struct {
	rig    *testrig.Rig
	client *dbus.Conn
	auth   *fakeAuthority
	logs   *testlog.Buffer
}

func setup(t *testing.T) *fixture { t.Helper(); return setupWith(t, nil) }

// setupWith is setup with the service changed by mod before it runs.
func setupWith(t *testing.T, mod func(*dbusapi.Service)) *fixture {
	t.Helper()
	addr := dbustest.PrivateBus(t)
	connect := func() *dbus.Conn {
		c, err := dbus.Connect(addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	auth := &fakeAuthority{allow: map[string]bool{}}
	pk := connect()
	if err := pk.Export(auth, "/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority"); err != nil {
		t.Fatal(err)
	}
	if _, err := pk.RequestName("org.freedesktop.PolicyKit1", dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	rig := testrig.Start(t, testrig.Options{UPS: "my-ups"})
	svcConn := connect()
	logs := &testlog.Buffer{}
	svc := &dbusapi.Service{Conn: svcConn, Auth: polkit.New(svcConn), Interval: 100 * time.Millisecond,
		Backend: &dbusapi.NUT{Addr: rig.Addr, User: "admin", Password: "secret"},
		Log:     slog.New(slog.NewTextHandler(logs, nil)),
		Events: func(_ context.Context, q events.Query) ([]events.Event, error) {
			f, err := os.Open("../events/testdata/journal.json")
			if err != nil {
				return nil, err
			}
			defer f.Close()
			entries, err := events.ParseJSON(f)
			return events.Filter(events.Build(entries), q.UPS, q.Since, q.Until), err
		}}
	if mod != nil {
		mod(svc)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	f := &fixture{rig: rig, client: connect(), auth: auth, logs: logs}
	deadline := time.Now().Add(5 * time.Second)
	for f.ctl(t, "list").out != "my-ups\tDescription unavailable\n" {
		if time.Now().After(deadline) {
			t.Fatalf("service never listed the UPS: %+v", f.ctl(t, "list"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return f
}

type ctlResult struct {
	code     int
	out, err string
}

func (f *fixture) ctl(t *testing.T, args ...string) ctlResult {
	t.Helper()
	var out, errOut bytes.Buffer
	dial := func(context.Context) (*dbus.Conn, error) { return f.client, nil }
	code := upsctl.Run(context.Background(), dial, args, &out, &errOut)
	return ctlResult{code, out.String(), errOut.String()}
}

// prop reads one property of obj.
func prop(t *testing.T, obj dbus.BusObject, name string) any {
	t.Helper()
	v, err := obj.GetProperty(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v.Value()
}

func TestPropertiesAndSignals(t *testing.T) {
	f := setup(t)
	obj := f.client.Object(upsbus.BusName, "/org/sysnut/UPS1/ups/my_2dups")
	get := func(name string) any { return prop(t, obj, name) }
	if got := get(upsbus.DeviceIface + ".Status"); got != "OL" {
		t.Errorf("Status = %v", got)
	}
	if got := get(upsbus.VarsIface + ".battery_charge"); got != "100" {
		t.Errorf("battery_charge = %v", got)
	}
	if got := get(upsbus.DeviceIface + ".Variables").(map[string]string); got["device.mfr"] != "testrig" {
		t.Errorf("Variables = %v", got)
	}

	if err := f.client.AddMatchSignal(dbus.WithMatchObjectPath(obj.Path()), dbus.WithMatchInterface("org.freedesktop.DBus.Properties")); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan *dbus.Signal, 32)
	f.client.Signal(sigs)
	f.rig.SetStatus("OB LB")
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-sigs:
			if s.Name != "org.freedesktop.DBus.Properties.PropertiesChanged" {
				continue
			}
			if s.Body[0] != upsbus.DeviceIface {
				continue
			}
			if v, ok := s.Body[1].(map[string]dbus.Variant)["Status"]; ok && v.Value() == "OB LB" {
				goto changed
			}
		case <-deadline:
			t.Fatal("no PropertiesChanged for Status")
		}
	}
changed:
	// Only what changed is signalled: not battery_charge. The variables'
	// interface gets its own signal, with ups_status in it.
	quiet := time.After(300 * time.Millisecond)
	varsSignalled := false
drain:
	for {
		select {
		case s := <-sigs:
			changed := s.Body[1].(map[string]dbus.Variant)
			if _, ok := changed["battery_charge"]; ok {
				t.Error("PropertiesChanged for battery_charge, which did not change")
			}
			if s.Body[0] == upsbus.VarsIface && changed["ups_status"].Value() == "OB LB" {
				varsSignalled = true
			}
		case <-quiet:
			break drain
		}
	}
	if !varsSignalled {
		t.Error("no PropertiesChanged for ups_status")
	}
	if got := get(upsbus.VarsIface + ".ups_status"); got != "OB LB" {
		t.Errorf("ups_status = %v after the change", got)
	}
	if err := obj.SetProperty(upsbus.DeviceIface+".Status", dbus.MakeVariant("OL")); err == nil || err.(dbus.Error).Name != "org.freedesktop.DBus.Error.PropertyReadOnly" {
		t.Errorf("Set Status: %v", err)
	}
	r := f.ctl(t, "status")
	if r.code != 0 || !strings.Contains(r.out, "Status: OB LB (on battery, low battery)") || !strings.Contains(r.out, "Battery charge: 100 %") {
		t.Errorf("upsctl status: %+v", r)
	}
	if r := f.ctl(t, "show", "my-ups"); !strings.Contains(r.out, "ups.status: OB LB\n") {
		t.Errorf("upsctl show: %+v", r)
	}
	if r := f.ctl(t, "commands", "my-ups"); r.out != "beeper.toggle\ntest.battery.start\n" {
		t.Errorf("upsctl commands: %+v", r)
	}
	// systemd-style options anywhere, JSON output, a friendly unknown UPS.
	var st []struct {
		Name      string            `json:"name"`
		Status    string            `json:"status"`
		Variables map[string]string `json:"variables"`
	}
	if r := f.ctl(t, "status", "-o", "json"); r.code != 0 || json.Unmarshal([]byte(r.out), &st) != nil ||
		len(st) != 1 || st[0].Name != "my-ups" || st[0].Status != "OB LB" || st[0].Variables["battery.charge"] != "100" {
		t.Errorf("upsctl status -o json: %+v", r)
	}
	var cmds []string
	if r := f.ctl(t, "--output=json", "commands", "my-ups", "--no-pager"); json.Unmarshal([]byte(r.out), &cmds) != nil ||
		!slices.Equal(cmds, []string{"beeper.toggle", "test.battery.start"}) {
		t.Errorf("upsctl --output=json commands: %+v", r)
	}
	if r := f.ctl(t, "show", "no-such-ups"); r.code != 1 || r.err != "Unknown UPS \"no-such-ups\"; upsctl list shows the UPSes\n" {
		t.Errorf("upsctl show of an unknown UPS: %+v", r)
	}
	if r := f.ctl(t, "--bogus"); r.code != 2 {
		t.Errorf("unknown option: %+v", r)
	}
}

// TestUpsctlHelpWithoutBus: help needs no bus.
func TestUpsctlHelpWithoutBus(t *testing.T) {
	var out, errOut bytes.Buffer
	noBus := func(context.Context) (*dbus.Conn, error) { return nil, errors.New("no bus here") }
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"status", "--help"}} {
		out.Reset()
		if code := upsctl.Run(context.Background(), noBus, args, &out, &errOut); code != 0 || !strings.Contains(out.String(), "--no-ask-password") {
			t.Errorf("%v: %d %q %q", args, code, out.String(), errOut.String())
		}
	}
	if code := upsctl.Run(context.Background(), noBus, []string{"status"}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "Failed to connect to the system bus: no bus here") {
		t.Errorf("status without a bus: %d %q", code, errOut.String())
	}
}

// TestPolkitDecides: every change asks polkit about the caller, with the
// UPS and the command as details; a refusal reaches nothing, a grant
// reaches the driver (or upsd, for FSD).
func TestPolkitDecides(t *testing.T) {
	f := setup(t)
	r := f.ctl(t, "command", "my-ups", "test.battery.start")
	if r.code != 1 || !strings.Contains(r.err, "Not authorized: org.sysnut.ups1.instant-command") {
		t.Errorf("refused command: %+v", r)
	}
	// The journal names the caller by user ID (and unit, where systemd
	// answers; not on this private bus), not by a bus name.
	if want := fmt.Sprintf("refused by polkit\" caller_uid=%d caller_pid=%d", os.Getuid(), os.Getpid()); !strings.Contains(f.logs.String(), want) {
		t.Errorf("refusal log lacks %q:\n%s", want, f.logs.String())
	}
	// --no-ask-password: polkit is told not to ask (flags=0).
	if r := f.ctl(t, "--no-ask-password", "command", "my-ups", "test.battery.start"); r.code != 1 {
		t.Errorf("refused command without asking: %+v", r)
	}
	if got := f.rig.Received(); len(got) != 0 {
		t.Errorf("a refused command reached the driver: %q", got)
	}
	q := f.auth.questions()
	prefix := "system-bus-name:" + f.client.Names()[0] + " org.sysnut.ups1.instant-command command=test.battery.start,ups=my-ups flags="
	if len(q) != 2 || !strings.HasPrefix(q[0], prefix+"1") || !strings.HasPrefix(q[1], prefix+"0") {
		t.Errorf("polkit was asked %q", q)
	}

	f.auth.set(dbusapi.ActionInstantCommand, true)
	f.auth.set(dbusapi.ActionSetVariable, true)
	for _, args := range [][]string{{"command", "my-ups", "test.battery.start"}, {"set", "my-ups", "ups.id", "new-id"}} {
		if r := f.ctl(t, args...); r.code != 0 {
			t.Errorf("%v: %+v", args, r)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	want := []string{"INSTCMD test.battery.start", "SET ups.id new-id"}
	for !slices.Equal(f.rig.Received(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("driver received %q, want %q", f.rig.Received(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := f.ctl(t, "command", "my-ups", "nosuch.cmd"); r.code != 1 || !strings.Contains(r.err, "Failed to run instant command on my-ups") {
		t.Errorf("unknown command: %+v", r)
	}

	if r := f.ctl(t, "fsd", "my-ups"); r.code != 1 {
		t.Errorf("fsd without the right: %+v", r)
	}
	f.auth.set(dbusapi.ActionForcedShutdown, true)
	if r := f.ctl(t, "fsd", "my-ups"); r.code != 0 {
		t.Errorf("fsd: %+v", r)
	}
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(f.ctl(t, "show", "my-ups").out, "ups.status: FSD OL") {
		if time.Now().After(deadline) {
			t.Fatalf("FSD not set in upsd: %+v", f.ctl(t, "show", "my-ups"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTree: introspection from "/" reaches every UPS object, as busctl
// tree walks it.
func TestTree(t *testing.T) {
	f := setup(t)
	var walk func(path string) []string
	walk = func(path string) []string {
		var xml string
		if err := f.client.Object(upsbus.BusName, dbus.ObjectPath(path)).Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out := []string{path}
		for _, part := range strings.Split(xml, `<node name="`)[1:] {
			child, _, _ := strings.Cut(part, `"`)
			if strings.HasPrefix(child, "/") {
				continue // the node's own absolute name
			}
			out = append(out, walk(strings.TrimSuffix(path, "/")+"/"+child)...)
		}
		return out
	}
	got := walk("/")
	if !slices.Contains(got, "/org/sysnut/UPS1") || !slices.Contains(got, "/org/sysnut/UPS1/ups/my_2dups") {
		t.Errorf("tree from /: %q", got)
	}
}

func TestObjectPath(t *testing.T) {
	for in, want := range map[string]dbus.ObjectPath{
		"myups": "/org/sysnut/UPS1/ups/myups", "my-ups": "/org/sysnut/UPS1/ups/my_2dups", "a.b_c": "/org/sysnut/UPS1/ups/a_2eb_5fc",
	} {
		if got := upsbus.ObjectPath(in); got != want || !got.IsValid() {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"battery.charge": "battery_charge", "3phase.x": "_3phase_x"} {
		if got := dbusapi.PropertyName(in); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

// TestChangeErrorsSayWhatToRestart: without an upsd account, or with one
// upsd does not accept (upsd.users edited but the services not restarted),
// a change fails with the fix and what to restart after it.
func TestChangeErrorsSayWhatToRestart(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{UPS: "u"})
	for _, b := range []*dbusapi.NUT{
		{Addr: rig.Addr},
		{Addr: rig.Addr, User: "admin", Password: "an old password"},
	} {
		err := b.InstantCommand(context.Background(), "u", "beeper.toggle", "")
		if err == nil || !strings.Contains(err.Error(), "systemctl restart ups-server.service sysnut-dbus.service") {
			t.Errorf("user %q: %v", b.User, err)
		}
	}
}

// TestUpsctlEvents: the outage history goes over the bus (ListEvents) to
// upsctl events, as a table or JSON, filtered by UPS and time, without
// any privilege (polkit is never asked).
func TestUpsctlEvents(t *testing.T) {
	f := setup(t)
	t.Setenv("TZ", "UTC")
	r := f.ctl(t, "events")
	if r.code != 0 {
		t.Fatalf("upsctl events: %+v", r)
	}
	// Columns are as wide as their widest cell (an ongoing event's
	// duration grows with the clock): compared with spaces collapsed.
	collapsed := regexp.MustCompile(` {2,}`).ReplaceAllString(r.out, "  ")
	for _, want := range []string{
		"EVENT  UPS  START  END  DURATION  DETAILS\n",
		"outage  myups@localhost  Tue 2026-12-01 05:00:00 UTC  Tue 2026-12-01 05:01:35 UTC  1min 36s  lowest charge 87%\n",
		"outage  myups@localhost  Tue 2026-12-01 05:06:40 UTC  Tue 2026-12-01 05:07:41 UTC (shutdown)  1min 1s  battery ran low\n",
		"self-test  myups  Tue 2026-12-01 05:03:20 UTC  -  -  Done and passed\n",
		"replace-battery  other@10.0.0.2  Tue 2026-12-01 05:05:00 UTC  -  -  -\n",
		"bypass  myups@localhost  Tue 2026-12-01 05:10:00 UTC  ongoing  ",
		"\n10 events listed.\n",
	} {
		if !strings.Contains(collapsed, want) {
			t.Errorf("upsctl events lacks %q:\n%s", want, r.out)
		}
	}
	r = f.ctl(t, "events", "--ups", "other@10.0.0.2", "-o", "json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != 0 {
		t.Fatalf("upsctl events -o json: %v %+v", err, r)
	}
	if len(got) != 2 || got[0]["kind"] != "replace-battery" || got[1]["kind"] != "shutdown" {
		t.Errorf("--ups other@10.0.0.2: %v", got)
	}
	r = f.ctl(t, "events", "--since=2026-12-01 05:00:30", "--until", "2026-12-01 05:02:00", "-o", "json")
	got = nil
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || len(got) != 2 {
		t.Fatalf("--since/--until: %v %s", err, r.out)
	}
	if got[0]["kind"] != "outage" || got[0]["duration_seconds"] != 95.5 || got[0]["start"] != "2026-12-01T05:00:00Z" || got[1]["kind"] != "communication-lost" {
		t.Errorf("--since inside the first outage: %v", got)
	}
	if len(f.auth.questions()) != 0 {
		t.Errorf("polkit was asked: %v", f.auth.questions())
	}
	if r := f.ctl(t, "events", "--since", "soon"); r.code != 2 || !strings.Contains(r.err, "cannot read time") {
		t.Errorf("a bad --since: %+v", r)
	}
}

// TestQuietWhenUnread: while nobody reads the bus the service does not
// poll upsd (a variable changed meanwhile sends no PropertiesChanged),
// the first read after that waits for a fresh read of upsd (it answers
// the new value), and a status change reaches the bus at once, pushed
// by upsd (WATCH).
func TestQuietWhenUnread(t *testing.T) {
	f := setupWith(t, func(s *dbusapi.Service) { s.ActiveFor, s.IdleInterval = 300*time.Millisecond, time.Hour })
	obj := f.client.Object(upsbus.BusName, "/org/sysnut/UPS1/ups/my_2dups")
	if err := f.client.AddMatchSignal(dbus.WithMatchObjectPath(obj.Path()), dbus.WithMatchInterface("org.freedesktop.DBus.Properties")); err != nil {
		t.Fatal(err)
	}
	sigs := make(chan *dbus.Signal, 64)
	f.client.Signal(sigs)
	defer f.client.RemoveSignal(sigs)
	changed := func(d time.Duration, prop, want string) bool {
		t.Helper()
		timeout := time.After(d)
		for {
			select {
			case sig := <-sigs:
				if len(sig.Body) >= 2 {
					if ch, ok := sig.Body[1].(map[string]dbus.Variant); ok && ch[prop].Value() == want {
						return true
					}
				}
			case <-timeout:
				return false
			}
		}
	}

	time.Sleep(500 * time.Millisecond) // idle
	f.rig.Publisher.Update(func(u *driversock.Updater) { u.Set("battery.charge", "55") })
	if changed(500*time.Millisecond, "battery_charge", "55") { // five Intervals
		t.Fatal("the service read upsd while nobody read the bus")
	}
	if got := prop(t, obj, upsbus.VarsIface+".battery_charge"); got != "55" {
		t.Errorf("the first read after idleness answered %v, not upsd's value now", got)
	}

	time.Sleep(500 * time.Millisecond) // idle again
	start := time.Now()
	f.rig.SetStatus("OB")
	if !changed(5*time.Second, "Status", "OB") {
		t.Fatal("no PropertiesChanged for Status while idle: the push did not reach the bus")
	}
	t.Logf("Status OB on the bus %v after the driver, while idle", time.Since(start).Round(time.Millisecond))
}
