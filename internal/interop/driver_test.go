package interop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/registry"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/nutref"
	"github.com/sysnut/sysnut/internal/upssim"
)

// TestDummyDriverMatchesNUT serves one .dev file with NUT's dummy-ups and
// with ours, both behind NUT's own upsd, and compares what NUT's upsc and
// upsrw print for each: our driver must look like NUT's to NUT's server.
func TestDummyDriverMatchesNUT(t *testing.T) {
	bin := requireNUT(t)
	dev, err := os.ReadFile("testdata/dummy/test.dev")
	if err != nil {
		t.Fatal(err)
	}
	site, port := newSite(t, bin, map[string]string{
		"ups.conf":   "[theirs]\n driver = dummy-ups\n port = test.dev\n\n[ours]\n driver = dummy-ups\n port = test.dev\n",
		"upsd.users": "[admin]\n password = secret\n actions = SET\n instcmds = ALL\n",
		"test.dev":   string(dev),
	}, "")
	ctx, cancel := context.WithCancel(context.Background())
	if err := site.StartDummy(ctx, "theirs"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NUT_STATEPATH", site.StateDir)
	uc, err := config.LoadUPSConf(filepath.Join(site.ConfDir, "ups.conf"))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := registry.Lookup("dummy-ups")
	spec := driver.Spec{ConfDir: site.ConfDir, UPSConf: uc, Name: "ours", Protocol: e.New, Version: e.Version,
		Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}
	done := make(chan error, 1)
	go func() { done <- spec.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("driver: %v", err)
		}
	})
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for _, u := range []string{"theirs", "ours"} {
		waitReady(t, addr, u)
	}
	// Only the driver's own version may differ. NUT 2.8.0 escapes the
	// device.* copies of ups.* values twice (device.model reads
	// Smart \"UPS\" 1500); sysnut does not repeat that bug, so NUT's copies
	// are unescaped once before comparing.
	clean := func(s, ups string) string {
		var keep []string
		for _, l := range strings.SplitAfter(s, "\n") {
			if strings.HasPrefix(l, "driver.version") || strings.HasPrefix(l, "[driver.version") {
				continue
			}
			if ups == "theirs" && strings.HasPrefix(l, "device.") {
				if w, err := nutproto.Split(`"` + strings.TrimSuffix(strings.SplitN(l, ": ", 2)[1], "\n") + `"`); err == nil && len(w) == 1 {
					l = strings.SplitN(l, ": ", 2)[0] + ": " + w[0] + "\n"
				}
			}
			keep = append(keep, l)
		}
		return strings.ReplaceAll(strings.Join(keep, ""), ups, "UPS")
	}
	cases := [][]string{
		{"upsc", "UPS@ADDR"},
		{"upsc", "UPS@ADDR", "ups.serial"},
		{"upscmd", "-l", "UPS@ADDR"},
		{"upscmd", "-u", "admin", "-p", "secret", "-w", "UPS@ADDR", "load.off"},
		{"upsrw", "UPS@ADDR"},
	}
	for _, args := range cases {
		run := func(ups string) result {
			a := withAddr(args, addr)
			for i := range a {
				a[i] = strings.ReplaceAll(a[i], "UPS@", ups+"@")
			}
			r := runNUT(t, &env{site: site}, a)
			r.stdout, r.stderr = clean(r.stdout, ups), clean(r.stderr, ups)
			return r
		}
		want, got := run("theirs"), run("ours")
		if want.stdout == "" && want.stderr == "" {
			t.Fatalf("%v: NUT printed nothing", args)
		}
		if got != want {
			t.Errorf("%v differs\n--- NUT's dummy-ups\n%v--- sysnut's\n%v", args, want, got)
		}
	}
	// Every variable's type, enumeration and ranges, and how SET treats
	// values too long or not in the list, as NUT's upsd reports them.
	compareTypes(t, site, addr, clean, nil, `ups.model "`+strings.Repeat("m", 33)+`"`, `ups.serial "`+strings.Repeat("s", 32)+`"`,
		`battery.charge "not a number"`, `no.such.var "x"`, `ups.status "`+strings.Repeat("x", 40)+`"`)

	// SET is handled by the simulation itself and reaches upsd.
	r := runNUT(t, &env{site: site}, withAddr([]string{"upsrw", "-s", "ups.model=Renamed", "-u", "admin", "-p", "secret", "-w", "ours@ADDR"}, addr))
	if r.stderr != "SUCCESS\n" || r.code != 0 {
		t.Fatalf("SET through NUT's upsrw: %v", r)
	}
	if r := runNUT(t, &env{site: site}, withAddr([]string{"upsc", "ours@ADDR", "ups.model"}, addr)); r.stdout != "Renamed\n" {
		t.Errorf("after SET: %v", r)
	}
}

// compareTypes sends, for every variable of [theirs] but those in skip,
// GET TYPE, LIST ENUM and LIST RANGE, then SET VAR with each of sets, to
// the server at addr for [theirs] and [ours], and compares the replies
// after clean.
func compareTypes(t *testing.T, site *nutref.Site, addr string, clean func(s, ups string) string, skip map[string]string, sets ...string) {
	t.Helper()
	vars := runNUT(t, &env{site: site}, []string{"upsc", "theirs@" + addr}).stdout
	var queries strings.Builder
	queries.WriteString("USERNAME admin\nPASSWORD secret\n")
	for _, l := range strings.Split(strings.TrimSpace(vars), "\n") {
		name, _, _ := strings.Cut(l, ": ")
		if _, ok := skip[name]; ok {
			continue
		}
		fmt.Fprintf(&queries, "GET TYPE UPS %s\nLIST ENUM UPS %s\nLIST RANGE UPS %s\n", name, name, name)
	}
	for _, set := range sets {
		fmt.Fprintf(&queries, "SET VAR UPS %s\n", set)
	}
	queries.WriteString("LOGOUT\n")
	exchange := func(ups string) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte(strings.ReplaceAll(queries.String(), " UPS ", " "+ups+" "))); err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(c)
		return clean(string(b), ups)
	}
	if want, got := exchange("theirs"), exchange("ours"); got != want {
		t.Errorf("GET TYPE, LIST ENUM, LIST RANGE, SET VAR differ\n%s", lineDiff(want, got))
	}
}

// lineDiff shows the lines of want and got that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  NUT's:    %q\n  sysnut's: %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// TestMegatecDriverBehindNUT runs our Megatec driver on a pty simulator
// behind NUT's upsd: NUT's upsc sees a mains failure, NUT's upscmd runs a
// battery test that reaches the UPS.
func TestMegatecDriverBehindNUT(t *testing.T) {
	bin := requireNUT(t)
	sim := upssim.NewMegatec()
	tty, err := sim.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Unplug)
	site, port := newSite(t, bin, map[string]string{
		"ups.conf":   fmt.Sprintf("[qx]\n driver = nutdrv_qx\n port = %s\n pollinterval = 1\n", tty),
		"upsd.users": "[admin]\n password = secret\n instcmds = ALL\n",
	}, "")
	t.Setenv("NUT_STATEPATH", site.StateDir)
	uc, err := config.LoadUPSConf(filepath.Join(site.ConfDir, "ups.conf"))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := registry.Lookup("nutdrv_qx")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- driver.Spec{ConfDir: site.ConfDir, UPSConf: uc, Name: "qx", Protocol: e.New, Version: e.Version,
			Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}.Serve(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitReady(t, addr, "qx")
	nut := &env{site: site}
	upsc := func(v string) string {
		return strings.TrimSpace(runNUT(t, nut, []string{"upsc", "qx@" + addr, v}).stdout)
	}
	if got := upsc("device.model"); got != "SIM-1000" {
		t.Errorf("device.model = %q", got)
	}
	sim.SetMains(false)
	deadline := time.Now().Add(10 * time.Second)
	for upsc("ups.status") != "OB" {
		if time.Now().After(deadline) {
			t.Fatalf("NUT's upsc never saw OB: %q", upsc("ups.status"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := runNUT(t, nut, []string{"upscmd", "-l", "qx@" + addr})
	if !strings.Contains(r.stdout, "test.battery.start.quick - Start a quick battery test") {
		t.Errorf("upscmd -l:\n%v", r)
	}
	r = runNUT(t, nut, []string{"upscmd", "-u", "admin", "-p", "secret", "-w", "qx@" + addr, "test.battery.start.quick"})
	if r.stderr != "SUCCESS\n" {
		t.Errorf("upscmd -w test.battery.start.quick: %v", r)
	}
	if got := sim.Received(); len(got) != 1 || got[0] != "T" {
		t.Errorf("the UPS received %q, want [T]", got)
	}
}
