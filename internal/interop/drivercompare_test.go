package interop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/registry"
	"github.com/sysnut/sysnut/internal/nutref"
	"github.com/sysnut/sysnut/internal/testlog"
)

// driverExceptions are the lines that may differ between NUT's driver and
// ours for the same device, each for a reason.
var driverExceptions = map[string]string{
	"driver.version":          "the driver's own version",
	"driver.version.data":     "NUT's subdriver version",
	"driver.version.internal": "the driver's own version",
	"driver.version.usb":      "NUT's libusb build; sysnut has no USB code in these drivers",
	"driver.parameter.port":   "each driver may have its own (simulated) device",
	// NUT's drivers publish "auto" and turn it to "yes" the first time a
	// write to upsd would block, which a big first dump (pw's 130
	// variables) does by chance; sysnut's driver socket never blocks
	// its driver, so it stays "auto".
	"driver.parameter.synchronous": "NUT's switches to yes when its socket is full",
}

// driverPair is NUT's driver drv as [theirs] and ours as [ours], each with
// its section of ups.conf, behind NUT's upsd.
type driverPair struct {
	t    *testing.T
	site *nutref.Site
	addr string
	drv  string
	// better lists lines where sysnut differs on purpose (ups-driver(8)).
	better map[string]string
	// log is what our driver logged.
	log *testlog.Buffer
}

// startDriverPair starts NUT's drv for [theirs], ours for [ours] and NUT's
// upsd for both, and waits until both are served.
func startDriverPair(t *testing.T, drv, theirs, ours string) *driverPair {
	e, err := registry.Lookup(drv)
	if err != nil {
		t.Fatal(err)
	}
	return startDriverPairWith(t, drv, theirs, ours, e, nil)
}

// startDriverPairWith is startDriverPair with our driver made by e and
// NUT's driver given env (for a simulated device).
func startDriverPairWith(t *testing.T, drv, theirs, ours string, e registry.Entry, env []string) *driverPair {
	bin := requireNUT(t)
	site, port := newSite(t, bin, map[string]string{
		"ups.conf":   "[theirs]\n" + theirs + "\n[ours]\n" + ours,
		"upsd.users": "[admin]\n password = secret\n actions = SET\n instcmds = ALL\n",
	}, "")
	site.ExtraEnv = env
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := site.StartDriver(ctx, drv, "theirs"); err != nil {
		t.Fatalf("NUT's %s: %v\n%s", drv, err, site.Logs())
	}
	log := &testlog.Buffer{}
	addr := serveOurs(t, ctx, cancel, site, port, e, log)
	for _, u := range []string{"theirs", "ours"} {
		waitReady(t, addr, u)
	}
	return &driverPair{t: t, site: site, addr: addr, drv: drv, log: log}
}

// clean drops the excepted lines and names both UPSes alike.
func (p *driverPair) clean(s, ups string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		name, _, _ := strings.Cut(l, ": ")
		if _, ok := driverExceptions[name]; ok {
			continue
		}
		if _, ok := p.better[name]; ok {
			continue
		}
		keep = append(keep, l)
	}
	return strings.ReplaceAll(strings.Join(keep, ""), ups, "UPS")
}

// compare checks that NUT's clients print the same for both, and that
// upsd answers the same for every variable and for each SET in sets.
func (p *driverPair) compare(sets ...string) {
	t := p.t
	t.Helper()
	skip := map[string]string{}
	for _, m := range []map[string]string{driverExceptions, p.better} {
		for k, v := range m {
			skip[k] = v
		}
	}
	compareTypes(t, p.site, p.addr, func(s, ups string) string { return strings.ReplaceAll(s, ups, "UPS") }, skip, sets...)
	for _, args := range [][]string{{"upsc", "UPS@ADDR"}, {"upscmd", "-l", "UPS@ADDR"}, {"upsrw", "UPS@ADDR"}} {
		out := p.both(args)
		if want, got := p.clean(out[0], "theirs"), p.clean(out[1], "ours"); got != want {
			t.Errorf("%v differs\n%s", args, lineDiff(want, got))
		}
	}
}

// both runs a NUT client for [theirs], then for [ours] ("UPS@ADDR" in
// args names the UPS) and returns what each printed.
func (p *driverPair) both(args []string) [2]string {
	var out [2]string
	for i, ups := range []string{"theirs", "ours"} {
		a := withAddr(args, p.addr)
		for j := range a {
			a[j] = strings.ReplaceAll(a[j], "UPS@", ups+"@")
		}
		r := runNUT(p.t, &env{site: p.site}, a)
		out[i] = r.stdout + r.stderr
	}
	return out
}

// serveOurs runs our driver for [ours] of the site's ups.conf (made by
// e) and NUT's upsd on port, both stopped with cancel,
// and returns upsd's address. The driver's log goes to the test's, and
// to log when it is not nil.
func serveOurs(t *testing.T, ctx context.Context, cancel context.CancelFunc, site *nutref.Site, port int, e registry.Entry, log io.Writer) string {
	t.Helper()
	uc, err := config.LoadUPSConf(filepath.Join(site.ConfDir, "ups.conf"))
	if err != nil {
		t.Fatal(err)
	}
	// The socket goes where NUT's upsd looks: ups.conf's statepath, so
	// that pairs can run in parallel (NUT_STATEPATH is the process's).
	uc.StatePath = site.StateDir
	var w io.Writer = testWriter{t}
	if log != nil {
		w = io.MultiWriter(w, log)
	}
	done := make(chan error, 1)
	go func() {
		done <- driver.Spec{ConfDir: site.ConfDir, UPSConf: uc, Name: "ours", Protocol: e.New, Version: e.Version,
			Log: slog.New(slog.NewTextHandler(w, nil))}.Serve(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}
