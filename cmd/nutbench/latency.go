package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutref"
)

// powerLatency measures how long a power failure takes from the driver's
// input to the monitor's decision: the dummy-ups data file is replaced
// with "OB LB" and the clock stops when the monitor's SHUTDOWNCMD (FINALDELAY 0)
// has run. Three stacks, each monitor with NUT's default POLLFREQ of 5 s:
// NUT's own (dummy-ups, upsd, upsmon), sysnut's upsmon polling NUT's upsd
// (which knows no WATCH), and sysnut's whole stack, where the change is
// pushed. Every round uses a UPS of its own (a primary leaves FSD set),
// and waits a different time after the monitor's login, so that the
// change falls at different points of a polling monitor's cycle.
func powerLatency(upsdBin, driverBin, upsmonBin string, rounds int) error {
	bin, dir, nutPort, ourPort, err := prepare("nutbench-latency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const stacks = 3
	var conf strings.Builder
	files := map[string]string{"upsd.users": "[mon]\n password = pass\n upsmon primary\n"}
	for i := range stacks * rounds {
		fmt.Fprintf(&conf, "[u%d]\n driver = dummy-ups\n port = u%d.dev\n", i, i)
		files[fmt.Sprintf("u%d.dev", i)] = devFile
	}
	files["ups.conf"] = conf.String()
	files["upsd.conf"] = fmt.Sprintf("LISTEN 127.0.0.1 %d\n", nutPort)
	nut, err := nutref.NewSite(bin, filepath.Join(dir, "nut"), files)
	if err != nil {
		return err
	}
	defer nut.Stop()
	files["upsd.conf"] = fmt.Sprintf("LISTEN 127.0.0.1 %d\n", ourPort)
	ours, err := nutref.NewSite(bin, filepath.Join(dir, "ours"), files)
	if err != nil {
		return err
	}
	ctx := context.Background()
	procs := &programs{env: append(os.Environ(), "NUT_CONFPATH="+ours.ConfDir, "NUT_STATEPATH="+ours.StateDir)}
	defer procs.stop()
	for i := range stacks * rounds {
		if err := nut.StartDummy(ctx, fmt.Sprintf("u%d", i)); err != nil {
			return err
		}
		if _, err := procs.start(driverBin, fmt.Sprintf("u%d", i)); err != nil {
			return err
		}
	}
	if err := nut.StartUpsd(ctx, nutPort); err != nil {
		return err
	}
	if _, err := procs.start(upsdBin); err != nil {
		return err
	}
	nutAddr, ourAddr := fmt.Sprintf("127.0.0.1:%d", nutPort), fmt.Sprintf("127.0.0.1:%d", ourPort)
	runs := []struct {
		name  string
		nut   bool // NUT's upsmon
		site  *nutref.Site
		addr  string
		times []time.Duration
	}{
		{name: "NUT 2.8.0 upsmon + upsd + dummy-ups", nut: true, site: nut, addr: nutAddr},
		{name: "sysnut upsmon, NUT 2.8.0 upsd (polls)", site: nut, addr: nutAddr},
		{name: "sysnut upsmon + upsd + ups-driver", site: ours, addr: ourAddr},
	}
	fmt.Printf("power failure at the driver -> monitor's decision (SHUTDOWNCMD run, FINALDELAY 0, POLLFREQ 5), %d rounds\n", rounds)
	for k := range runs {
		run := &runs[k]
		for r := range rounds {
			ups := fmt.Sprintf("u%d", k*rounds+r)
			// 1 s, 2.7 s, 4.4 s...: different phases of a 5 s poll.
			settle := time.Second + time.Duration(r)*1700*time.Millisecond
			d, err := failOnce(bin, run.nut, upsmonBin, filepath.Join(dir, "mon-"+ups), run.site, run.addr, ups, settle%(5*time.Second))
			if err != nil {
				return fmt.Errorf("%s, %s: %w", run.name, ups, err)
			}
			run.times = append(run.times, d)
		}
	}
	base := median(seconds(runs[0].times))
	for _, run := range runs {
		var each []string
		for _, d := range run.times {
			each = append(each, fmt.Sprintf("%.0f", float64(d.Microseconds())/1000))
		}
		m := median(seconds(run.times))
		fmt.Printf("  %-40s median %8.1f ms  (rounds: %s ms)  %6.0fx faster than NUT\n", run.name, m*1000, strings.Join(each, ", "), base/m)
	}
	return nil
}

func seconds(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Seconds()
	}
	return out
}

// failOnce starts a monitor (NUT's or ours) as primary of ups on addr,
// waits for its login and then settle, fails the power in ups's data file
// on site and returns the time until the monitor's SHUTDOWNCMD ran.
func failOnce(bin *nutref.Binaries, nutMonitor bool, upsmonBin, dir string, site *nutref.Site, addr, ups string, settle time.Duration) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	down := filepath.Join(dir, "shutdown-ran")
	host, port, _ := net.SplitHostPort(addr)
	conf := fmt.Sprintf("MONITOR %s@%s:%s 1 mon pass primary\nPOLLFREQ 5\nPOLLFREQALERT 5\nFINALDELAY 0\nHOSTSYNC 15\n"+
		"DEADTIME 15\nPOWERDOWNFLAG %s\nSHUTDOWNCMD \"/bin/touch %s\"\n", ups, host, port, filepath.Join(dir, "killpower"), down)
	if err := os.WriteFile(filepath.Join(dir, "upsmon.conf"), []byte(conf), 0o600); err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "nut.conf"), []byte("MODE=netclient\n"), 0o644); err != nil {
		return 0, err
	}
	vars := []string{"NUT_CONFPATH=" + dir, "NUT_STATEPATH=" + dir, "NUT_ALTPIDPATH=" + dir}
	var cmd *exec.Cmd
	if nutMonitor {
		cmd = exec.Command(bin.Upsmon, "-F", "-p")
		cmd.Env = append(os.Environ(), vars...)
	} else {
		cmd = exec.Command(upsmonBin)
		cmd.Env = programEnv(upsmonBin, vars...)
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if err := until(10*time.Second, time.Millisecond, func() bool { return numLogins(addr, ups) >= 1 }); err != nil {
		return 0, fmt.Errorf("the monitor never logged in: %w\n%s", err, out.String())
	}
	time.Sleep(settle)
	dev := filepath.Join(site.ConfDir, ups+".dev")
	tmp := dev + ".new"
	if err := os.WriteFile(tmp, []byte("ups.status: OB LB\nbattery.charge: 5\nbattery.runtime: 60\n"), 0o644); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := os.Rename(tmp, dev); err != nil {
		return 0, err
	}
	err := until(60*time.Second, time.Millisecond, func() bool { _, err := os.Stat(down); return err == nil })
	d := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("no shutdown: %w\n%s", err, out.String())
	}
	return d, nil
}

// until checks ok every interval until it holds or limit has passed.
func until(limit, every time.Duration, ok func() bool) error {
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %s", limit)
		}
		time.Sleep(every)
	}
	return nil
}

// numLogins asks addr for GET NUMLOGINS ups; -1 on any failure.
func numLogins(addr, ups string) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c, err := nutclient.Dial(ctx, addr)
	if err != nil {
		return -1
	}
	defer c.Close()
	c.SetTimeout(time.Second)
	n, err := c.NumLogins(ups)
	if err != nil {
		return -1
	}
	return n
}
