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
	"github.com/sysnut/sysnut/internal/modemlines"
)

// uart is a real serial port with modem lines: ptys have none, so NUT's
// genericups can only be compared on one. This machine kind has a UART
// with nothing attached (every input line low).
const uart = "/dev/ttyS0"

// TestGenericupsMatchesNUT runs NUT 2.8.0's genericups and ours on the same
// UART for every cable type, behind NUT's upsd, and compares what NUT's
// clients print and what upsd answers for every variable: the cable
// table, the status derived from the lines, types and commands.
func TestGenericupsMatchesNUT(t *testing.T) {
	bin := requireNUT(t)
	p, err := modemlines.Open(uart)
	if err != nil {
		t.Skipf("no usable UART (%v): NUT's genericups needs real modem lines", err)
	}
	_, err = p.Get()
	p.Close()
	if err != nil {
		t.Skipf("%s has no modem lines: %v", uart, err)
	}
	for upstype := range 24 { // NUT's whole cable table
		t.Run(fmt.Sprintf("upstype=%d", upstype), func(t *testing.T) {
			conf := fmt.Sprintf(" driver = genericups\n port = %s\n upstype = %d\n", uart, upstype)
			site, port := newSite(t, bin, map[string]string{
				"ups.conf":   "[theirs]\n" + conf + "\n[ours]\n" + conf,
				"upsd.users": "[admin]\n password = secret\n actions = SET\n instcmds = ALL\n",
			}, "")
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			if err := site.StartDriver(ctx, "genericups", "theirs"); err != nil {
				t.Fatalf("NUT's genericups: %v\n%s", err, site.Logs())
			}
			t.Setenv("NUT_STATEPATH", site.StateDir)
			uc, err := config.LoadUPSConf(filepath.Join(site.ConfDir, "ups.conf"))
			if err != nil {
				t.Fatal(err)
			}
			e, _ := registry.Lookup("genericups")
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
			clean := func(s, ups string) string {
				var keep []string
				for _, l := range strings.SplitAfter(s, "\n") {
					name, _, _ := strings.Cut(l, ": ")
					if _, ok := megatecExceptions[name]; ok {
						continue
					}
					keep = append(keep, l)
				}
				return strings.ReplaceAll(strings.Join(keep, ""), ups, "UPS")
			}
			compareTypes(t, site, addr, clean, megatecExceptions)
			for _, args := range [][]string{{"upsc", "UPS@ADDR"}, {"upscmd", "-l", "UPS@ADDR"}, {"upsrw", "UPS@ADDR"}} {
				run := func(ups string) string {
					a := withAddr(args, addr)
					for i := range a {
						a[i] = strings.ReplaceAll(a[i], "UPS@", ups+"@")
					}
					r := runNUT(t, &env{site: site}, a)
					return clean(r.stdout+r.stderr, ups)
				}
				if want, got := run("theirs"), run("ours"); got != want {
					t.Errorf("%v differs\n%s", args, lineDiff(want, got))
				}
			}
		})
	}
}
