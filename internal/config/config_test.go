package config_test

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestGoodFiles(t *testing.T) {
	t.Parallel()
	ups, err := config.LoadUPSConf("testdata/good/ups.conf")
	if err != nil {
		t.Fatal(err)
	}
	if ups.StatePath != "/run/nut" || ups.Global["maxretry"] != "3" {
		t.Errorf("globals: %+v", ups.Global)
	}
	if len(ups.UPS) != 2 {
		t.Fatalf("want 2 UPS, got %d", len(ups.UPS))
	}
	u := ups.UPS[0]
	if u.Name != "myups" || u.Driver != "usbhid-ups" || u.Port != "auto" || u.Desc != `Rack UPS "A" # 1` || u.Line != 5 {
		t.Errorf("myups: %+v", u)
	}
	if v, _ := u.Get("override.battery.charge.low"); v != "30" || !u.HasFlag("ignorelb") {
		t.Errorf("params %+v flags %v", u.Params, u.Flags)
	}
	if ups.UPS[1].Desc != "line continued" {
		t.Errorf("continued desc = %q", ups.UPS[1].Desc)
	}
	if ups.Find("MYUPS") == nil {
		t.Error("Find is case-insensitive")
	}

	d, err := config.LoadUpsdConf("testdata/good/upsd.conf")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.1:3493", "[::1]:3493", ":13493"}; !reflect.DeepEqual(d.ListenAddrs(), want) {
		t.Errorf("ListenAddrs = %q, want %q", d.ListenAddrs(), want)
	}
	if d.MaxAge != 25*time.Second || d.MaxConn != 2048 || d.TrackingDelay != 600*time.Second || !d.AllowNoDevice {
		t.Errorf("upsd.conf: %+v", d)
	}

	us, err := config.LoadUsers("testdata/good/upsd.users")
	if err != nil {
		t.Fatal(err)
	}
	admin := us.Authenticate("admin", "s3cr3t # not a comment")
	if admin == nil || !admin.Can("set") || !admin.Can("FSD") || admin.Can("LOGIN") || !admin.CanRun("LOAD.OFF") || admin.CanRun("shutdown.return") {
		t.Errorf("admin: %+v", admin)
	}
	if us.Authenticate("admin", "S3CR3T # not a comment") != nil || us.Authenticate("Admin", "s3cr3t # not a comment") != nil {
		t.Error("names and passwords are case-sensitive")
	}
	mon := us.Authenticate("monuser", "pass")
	if mon == nil || !mon.Can("MASTER") || !mon.Can("PRIMARY") || !mon.Can("FSD") || !mon.Can("LOGIN") || mon.Can("SET") {
		t.Errorf("monuser: %+v", mon)
	}
	if r := us.Find("remote"); r == nil || r.Upsmon != "secondary" || r.Can("FSD") || !r.Can("LOGIN") {
		t.Errorf("remote: %+v", r)
	}

	m, err := config.LoadUpsmonConf("testdata/good/upsmon.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := []config.Monitor{
		{UPS: "myups", Host: "localhost", Port: 3493, Power: 1, User: "monuser", Password: "pass", Primary: true, Line: 1},
		{UPS: "other", Host: "10.0.0.2", Port: 3494, Power: 2, User: "remote", Password: "other", Line: 2},
		{UPS: "v6", Host: "::1", Port: 3495, Power: 0, User: "remote", Password: "other", Line: 3},
	}
	if !reflect.DeepEqual(m.Monitors, want) {
		t.Errorf("monitors = %+v", m.Monitors)
	}
	if m.Monitors[1].System() != "other@10.0.0.2:3494" || m.Monitors[0].System() != "myups@localhost" {
		t.Errorf("System() = %q, %q", m.Monitors[1].System(), m.Monitors[0].System())
	}
	if m.PollFreq != 2*time.Second || m.DeadTime != 20*time.Second || m.HostSync != 15*time.Second || m.ShutdownCmd != "/sbin/shutdown -h +0" {
		t.Errorf("upsmon.conf: %+v", m)
	}
	if m.NotifyFlag["ONBATT"] != config.NotifySyslog|config.NotifyWall|config.NotifyExec || m.NotifyFlag["LOWBATT"] != config.NotifyIgnore || m.NotifyMsg["ONBATT"] != "UPS %s lost mains" {
		t.Errorf("notify: %+v %+v", m.NotifyFlag, m.NotifyMsg)
	}
}

// TestBadFiles checks that every problem in testdata/bad is reported with
// file and line, and nothing else, against a golden file.
func TestBadFiles(t *testing.T) {
	t.Parallel()
	err := config.Check("testdata/bad")
	if err == nil {
		t.Fatal("Check accepted testdata/bad")
	}
	got := err.Error() + "\n"
	golden := filepath.Join("testdata", "bad", "errors.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, rerr := os.ReadFile(golden)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if got != string(want) {
		t.Errorf("errors differ from %s (run with -update to accept)\n--- want\n%s--- got\n%s", golden, want, got)
	}
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		if !strings.HasPrefix(line, "testdata/bad/") {
			t.Errorf("error without a file name: %q", line)
		}
	}
}

func TestCheckGood(t *testing.T) {
	t.Parallel()
	if err := config.Check("testdata/good"); err != nil {
		t.Fatal(err)
	}
}

func TestCheckMissingUPSConf(t *testing.T) {
	t.Parallel()
	err := config.Check(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "ups.conf") {
		t.Fatalf("want an error naming ups.conf, got %v", err)
	}
}

func TestStatePath(t *testing.T) {
	ups := &config.UPSConf{StatePath: "/from/ups.conf"}
	upsd := &config.UpsdConf{StatePath: "/from/upsd.conf"}
	t.Setenv("NUT_STATEPATH", "")
	if got := config.StatePath(ups, upsd); got != "/from/ups.conf" {
		t.Errorf("ups.conf wins over upsd.conf: %q", got)
	}
	if got := config.StatePath(&config.UPSConf{}, upsd); got != "/from/upsd.conf" {
		t.Errorf("upsd.conf next: %q", got)
	}
	if got := config.StatePath(nil, nil); got != config.DefaultStatePath {
		t.Errorf("default: %q", got)
	}
	t.Setenv("NUT_STATEPATH", "/env")
	if got := config.StatePath(ups, upsd); got != "/env" {
		t.Errorf("env wins: %q", got)
	}
	t.Setenv("NUT_CONFPATH", "/etc/elsewhere")
	if config.ConfPath() != "/etc/elsewhere" || config.In("ups.conf") != "/etc/elsewhere/ups.conf" {
		t.Errorf("NUT_CONFPATH not honoured: %q", config.ConfPath())
	}
}

func TestParseMonitorTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		ups, host string
		port      int
		wantErr   bool
	}{
		{"u", "u", "localhost", 3493, false},
		{"u@h", "u", "h", 3493, false},
		{"u@h:1", "u", "h", 1, false},
		{"u@[::1]:2", "u", "::1", 2, false},
		{"u@[::1]", "u", "::1", 3493, false},
		{"u@h:x", "", "", 0, true},
		{"@h", "", "", 0, true},
	}
	for _, tt := range tests {
		ups, host, port, err := config.ParseMonitorTarget(tt.in)
		if (err != nil) != tt.wantErr || ups != tt.ups || host != tt.host || port != tt.port {
			t.Errorf("ParseMonitorTarget(%q) = %q %q %d %v", tt.in, ups, host, port, err)
		}
	}
}

func FuzzParseUPSConf(f *testing.F) {
	seed(f, "ups.conf")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkErrors(t, "ups.conf", func() error { _, err := config.ParseUPSConf("ups.conf", data); return err })
	})
}

func FuzzParseUpsdConf(f *testing.F) {
	seed(f, "upsd.conf")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkErrors(t, "upsd.conf", func() error { _, err := config.ParseUpsdConf("upsd.conf", data); return err })
	})
}

func FuzzParseUsers(f *testing.F) {
	seed(f, "upsd.users")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkErrors(t, "upsd.users", func() error { _, err := config.ParseUsers("upsd.users", data); return err })
	})
}

func FuzzParseUpsmonConf(f *testing.F) {
	seed(f, "upsmon.conf")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkErrors(t, "upsmon.conf", func() error { _, err := config.ParseUpsmonConf("upsmon.conf", data); return err })
	})
}

func seed(f *testing.F, name string) {
	for _, dir := range []string{"good", "bad"} {
		if data, err := os.ReadFile(filepath.Join("testdata", dir, name)); err == nil {
			f.Add(data)
		}
	}
}

// checkErrors requires every reported problem to name the file.
func checkErrors(t *testing.T, name string, parse func() error) {
	err := parse()
	if err == nil {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, name+":") {
			t.Fatalf("error line without file name: %q", line)
		}
	}
}

// TestNewerNotifyTypes: an upsmon.conf written for a newer NUT loads: its
// notify types are known, and one sysnut has never heard of is a warning
// naming the line, as NUT's upsmon warns and carries on.
func TestNewerNotifyTypes(t *testing.T) {
	c, err := config.ParseUpsmonConf("upsmon.conf", []byte("MONITOR u@h 1 m p primary\n"+
		"NOTIFYFLAG ECO SYSLOG+WALL\nNOTIFYMSG SUSPEND_STARTING \"zzz\"\nNOTIFYFLAG OTHER IGNORE\n"+
		"NOTIFYFLAG FROM_THE_FUTURE SYSLOG\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.NotifyFlag["ECO"] != config.NotifySyslog|config.NotifyWall || c.NotifyMsg["SUSPEND_STARTING"] != "zzz" {
		t.Errorf("newer types not taken: %v %v", c.NotifyFlag, c.NotifyMsg)
	}
	if len(c.Warnings) != 1 || c.Warnings[0] != `upsmon.conf:5: NOTIFYFLAG: unknown notify type "FROM_THE_FUTURE": ignored` {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestNutConf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		mode    config.Mode
		wantErr string
	}{
		{"", config.ModeStandalone, ""},
		{"# Debian's stock file\nMODE=none\n", config.ModeNone, ""},
		{"MODE=standalone\n", config.ModeStandalone, ""},
		{"MODE=\"netserver\"  \nUPSD_OPTIONS='-D'\n", config.ModeNetServer, ""},
		{"MODE='netclient' # a comment\n", config.ModeNetClient, ""},
		{"MODE = netclient\n", config.ModeNetClient, ""},
		{"MODE=primary\n", config.ModeNone, "nut.conf:1: MODE=primary: not one of"},
		{"\nMODE standalone\n", config.ModeStandalone, "nut.conf:2: expected NAME=value"},
	} {
		c, err := config.ParseNutConf("nut.conf", []byte(tc.in))
		if c.Mode != tc.mode {
			t.Errorf("%q: mode %q, want %q", tc.in, c.Mode, tc.mode)
		}
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.wantErr)
		}
	}
	for in, want := range map[string]bool{
		"MODE=standalone\n":                             false,
		"SYSNUT_SNMP_DRIVERS=shared\n":                  true,
		"SYSNUT_SNMP_DRIVERS='separate'\n":              false,
		"export SYSNUT_SNMP_DRIVERS=\"shared\" # one\n": true,
	} {
		if c, err := config.ParseNutConf("nut.conf", []byte(in)); err != nil || c.SharedSNMP != want {
			t.Errorf("%q: shared %v (%v), want %v", in, c.SharedSNMP, err, want)
		}
	}
	if c, err := config.ParseNutConf("nut.conf", []byte("MODE=standalone\nSYSNUT_SNMP_DRIVERS=one\n")); err == nil ||
		!strings.Contains(err.Error(), "nut.conf:2: SYSNUT_SNMP_DRIVERS=one: not shared or separate") || c.SharedSNMP || c.Mode != config.ModeStandalone {
		t.Errorf("bad value: %v %+v", err, c)
	}
	c, err := config.LoadNutConf(filepath.Join(t.TempDir(), "nut.conf"))
	if err != nil || c.Mode != config.ModeStandalone {
		t.Errorf("missing nut.conf: %v %v, want standalone", c, err)
	}
}
