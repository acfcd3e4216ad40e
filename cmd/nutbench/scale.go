package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/loadgen"
	"github.com/sysnut/sysnut/internal/nutref"
)

// accept answers a driver socket's SET and INSTCMD: the scale run sends
// none.
type accept struct{}

func (accept) SetVar(string, string) int  { return driversock.StatusHandled }
func (accept) InstCmd(string, string) int { return driversock.StatusHandled }

// scale runs one upsd of each kind serving nUPS simulated drivers (driver
// sockets published here, read by both servers) to nMon logged-in
// monitors polling every 5 s, ours also WATCHing, one server at a time.
// For each it reports the server's CPU and memory over window and the
// slowest poll, then fails the power of every UPS at once and reports how
// long the monitors took to see it: through WATCH for ours, at their next
// poll for NUT's.
func scale(upsdBin string, nUPS, nMon int, window time.Duration) error {
	raiseNoFile()
	bin, dir, nutPort, ourPort, err := prepare("nutbench-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var conf strings.Builder
	names := make([]string, nUPS)
	for i := range nUPS {
		names[i] = fmt.Sprintf("u%d", i)
		fmt.Fprintf(&conf, "[%s]\n driver = dummy-ups\n port = %s.dev\n", names[i], names[i])
	}
	maxConn := 2*nMon + 1000
	files := map[string]string{"ups.conf": conf.String(), "upsd.users": "[mon]\n password = pass\n upsmon primary\n",
		"upsd.conf": fmt.Sprintf("LISTEN 127.0.0.1 %d\nMAXCONN %d\n", nutPort, maxConn)}
	site, err := nutref.NewSite(bin, filepath.Join(dir, "nut"), files)
	if err != nil {
		return err
	}
	defer site.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pubs := make([]*driversock.Publisher, nUPS)
	for i, name := range names {
		p := driversock.NewPublisher(accept{}, nil)
		p.Update(func(u *driversock.Updater) {
			for _, l := range strings.Split(strings.TrimSpace(devFile), "\n") {
				k, v, _ := strings.Cut(l, ": ")
				u.Set(k, v)
			}
		})
		p.DataOK()
		l, err := driversock.Listen(filepath.Join(site.StateDir, "dummy-ups-"+name))
		if err != nil {
			return err
		}
		go func() { _ = p.Serve(ctx, l) }()
		pubs[i] = p
	}
	setAll := func(status string) {
		for _, p := range pubs {
			p.Update(func(u *driversock.Updater) { u.Set("ups.status", status) })
		}
	}
	if err := site.StartUpsd(ctx, nutPort); err != nil {
		return err
	}
	files["upsd.conf"] = fmt.Sprintf("LISTEN 127.0.0.1 %d\nMAXCONN %d\n", ourPort, maxConn)
	ours, err := nutref.NewSite(bin, filepath.Join(dir, "ours"), files)
	if err != nil {
		return err
	}
	cmd := exec.Command(upsdBin)
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+ours.ConfDir, "NUT_STATEPATH="+site.StateDir)
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	time.Sleep(3 * time.Second)

	fmt.Printf("scale: %d UPSes (simulated drivers), %d monitors polling every 5 s, logins spread over 10 s, %s window\n", nUPS, nMon, window)
	for _, s := range []struct {
		name  string
		addr  string
		pid   int
		watch bool
	}{
		{"NUT 2.8.0 upsd", fmt.Sprintf("127.0.0.1:%d", nutPort), site.Pid("upsd"), false},
		{"sysnut upsd", fmt.Sprintf("127.0.0.1:%d", ourPort), cmd.Process.Pid, true},
	} {
		mons := loadgen.StartMonitors(ctx, loadgen.MonitorOptions{Addr: s.addr, UPS: names, N: nMon, User: "mon", Password: "pass",
			Every: 5 * time.Second, Watch: s.watch, Ramp: 10 * time.Second})
		want := int64(nMon)
		if s.watch {
			want *= 2
		}
		for deadline := time.Now().Add(90 * time.Second); mons.Ready() < want && time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
		}
		what := "sessions"
		if s.watch {
			what = "sessions (a poll and a WATCH connection per monitor)"
		}
		fmt.Printf("  %s: %d of %d %s in place\n", s.name, mons.Ready(), want, what)
		time.Sleep(5 * time.Second) // one poll cycle past the ramp
		mons.Reset()
		cpu0 := cpuTime(s.pid)
		time.Sleep(window)
		cpu := cpuTime(s.pid) - cpu0
		slowest, polls, errs := mons.Slowest()
		fmt.Printf("    polling: %d polls (%.0f/s), %d failed, slowest reply %s; server CPU %.1f%% of one core, RSS %.1f MB, PSS %.1f MB\n",
			polls, float64(polls)/window.Seconds(), errs, slowest.Round(time.Microsecond), 100*cpu.Seconds()/window.Seconds(),
			mb(loadgen.RSS(s.pid)), mb(loadgen.PSS(s.pid)))
		mons.Await("OB DISCHRG")
		t0 := time.Now()
		setAll("OB DISCHRG")
		for deadline := t0.Add(15 * time.Second); time.Now().Before(deadline); {
			if n, _, _ := mons.Arrived(t0); n == nMon {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		n, last, median := mons.Arrived(t0)
		how := "at their next poll"
		if s.watch {
			how = "pushed (WATCH)"
		}
		fmt.Printf("    every UPS on battery at once: %d of %d monitors saw it, %s: median %s, last %s\n",
			n, nMon, how, median.Round(time.Millisecond), last.Round(time.Millisecond))
		setAll("OL")
		mons.Stop()
		time.Sleep(2 * time.Second)
	}
	return nil
}
