package interop

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/registry"
	"github.com/sysnut/sysnut/internal/upssim"
)

// TestMegatecMatchesNUT runs NUT 2.8.0's own nutdrv_qx and blazer_ser and
// ours under the same names, each on a simulated Megatec UPS of its own (a
// pty), behind NUT's upsd, and compares what NUT's clients print for each.
func TestMegatecMatchesNUT(t *testing.T) {
	for _, name := range []string{"nutdrv_qx", "blazer_ser"} {
		t.Run(name, func(t *testing.T) { megatecMatchesNUT(t, name) })
	}
}

// megatecExceptions are the lines that may differ, each for a reason.
var megatecExceptions = map[string]string{
	"driver.version":          "the driver's own version",
	"driver.version.data":     "NUT's subdriver version",
	"driver.version.internal": "the driver's own version",
	"driver.version.usb":      "NUT's libusb build; sysnut has no USB code in this driver",
	"driver.parameter.port":   "each driver has its own simulated UPS (pty)",
}

// megatecBetter are the lines where sysnut deliberately differs, per
// driver; ups-driver(8) says so.
var megatecBetter = map[string]map[string]string{
	"nutdrv_qx": {
		// NUT 2.8.0's nutdrv_qx computes the charge once, before it has
		// detected how many packs a reading stands for (a Megatec UPS
		// reporting its cell voltage shows 0 for ever); sysnut, like
		// blazer_ser, recomputes it every poll with the packs detected.
		"battery.charge": "computed every poll with the detected packs",
	},
}

func megatecMatchesNUT(t *testing.T, drv string) {
	bin := requireNUT(t)
	var ttys []string
	for range 2 {
		sim := upssim.NewMegatec()
		tty, err := sim.Serve()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sim.Unplug)
		ttys = append(ttys, tty)
	}
	site, port := newSite(t, bin, map[string]string{
		"ups.conf": fmt.Sprintf("[theirs]\n driver = %[1]s\n port = %[2]s\n%[4]s\n[ours]\n driver = %[1]s\n port = %[3]s\n%[4]s",
			drv, ttys[0], ttys[1], map[string]string{"nutdrv_qx": " protocol = megatec\n"}[drv]),
		"upsd.users": "[admin]\n password = secret\n actions = SET\n instcmds = ALL\n",
	}, "")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := site.StartDriver(ctx, drv, "theirs"); err != nil {
		t.Fatalf("NUT's %s on the simulator: %v\n%s", drv, err, site.Logs())
	}
	t.Setenv("NUT_STATEPATH", site.StateDir)
	uc, err := config.LoadUPSConf(filepath.Join(site.ConfDir, "ups.conf"))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := registry.Lookup(drv)
	done := make(chan error, 1)
	go func() {
		done <- driver.Spec{ConfDir: site.ConfDir, UPSConf: uc, Name: "ours", Protocol: e.New, Version: e.Version,
			Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}.Serve(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for _, u := range []string{"theirs", "ours"} {
		waitReady(t, addr, u)
	}
	compareTypes(t, site, addr, func(s, ups string) string { return strings.ReplaceAll(s, ups, "UPS") }, megatecExceptions,
		`ups.delay.shutdown "5"`, `ups.delay.shutdown "700"`, `ups.delay.start "abc"`, `ups.firmware "x"`, `input.voltage "1"`)
	for _, args := range [][]string{{"upsc", "UPS@ADDR"}, {"upscmd", "-l", "UPS@ADDR"}, {"upsrw", "UPS@ADDR"}} {
		run := func(ups string) string {
			a := withAddr(args, addr)
			for i := range a {
				a[i] = strings.ReplaceAll(a[i], "UPS@", ups+"@")
			}
			r := runNUT(t, &env{site: site}, a)
			var keep []string
			for _, l := range strings.SplitAfter(r.stdout+r.stderr, "\n") {
				name, _, _ := strings.Cut(l, ": ")
				if _, ok := megatecExceptions[name]; ok {
					continue
				}
				if _, ok := megatecBetter[drv][name]; ok {
					continue
				}
				keep = append(keep, l)
			}
			return strings.ReplaceAll(strings.Join(keep, ""), ups, "UPS")
		}
		if want, got := run("theirs"), run("ours"); got != want {
			t.Errorf("%v differs\n%s", args, lineDiff(want, got))
		}
	}
}
