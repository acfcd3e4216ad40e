package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

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
	// NUT's upsd refuses to start with a MAXCONN beyond the descriptor
	// limit: it gets what its monitors need; ours also holds a WATCH
	// connection for each.
	files := map[string]string{"ups.conf": conf.String(), "upsd.users": "[mon]\n password = pass\n upsmon primary\n",
		"upsd.conf": fmt.Sprintf("LISTEN 127.0.0.1 %d\nMAXCONN %d\n", nutPort, nMon+100)}
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
	files["upsd.conf"] = fmt.Sprintf("LISTEN 127.0.0.1 %d\nMAXCONN %d\n", ourPort, 2*nMon+100)
	ours, err := nutref.NewSite(bin, filepath.Join(dir, "ours"), files)
	if err != nil {
		return err
	}
	cmd := exec.Command(upsdBin)
	cmd.Env = programEnv(upsdBin, "NUT_CONFPATH="+ours.ConfDir, "NUT_STATEPATH="+site.StateDir)
	logs := &lockedWriter{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		if loadgen.RSS(cmd.Process.Pid) == 0 {
			fmt.Printf("sysnut's upsd ended early:\n%s\n", tail(logs.String(), 40))
		}
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	time.Sleep(3 * time.Second)

	// Each event-driven monitor holds a second connection (WATCH). The
	// server, and this process, hold one descriptor per connection: a
	// per-process limit (RLIMIT_NOFILE, which only a privileged process
	// may raise) caps how many of the monitors can also watch.
	watchers := nMon
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil {
		watchers = max(0, min(nMon, int(lim.Cur)-nMon-2*nUPS-500))
	}
	fmt.Printf("scale: %d UPSes (simulated drivers), %d monitors polling every 5 s, logins spread over 10 s, %s window\n", nUPS, nMon, window)
	if watchers < nMon {
		fmt.Printf("  (%d of the monitors also WATCH on sysnut's upsd: the descriptor limit here, %d per process, allows no more)\n", watchers, lim.Cur)
	}
	for _, s := range []struct {
		name  string
		addr  string
		pid   int
		watch int
	}{
		{"NUT 2.8.0 upsd", fmt.Sprintf("127.0.0.1:%d", nutPort), site.Pid("upsd"), 0},
		{"sysnut upsd", fmt.Sprintf("127.0.0.1:%d", ourPort), cmd.Process.Pid, watchers},
	} {
		mons := loadgen.StartMonitors(ctx, loadgen.MonitorOptions{Addr: s.addr, UPS: names, N: nMon, User: "mon", Password: "pass",
			Every: 5 * time.Second, Watchers: s.watch, Ramp: 10 * time.Second})
		want := int64(nMon + s.watch)
		_ = until(90*time.Second, 100*time.Millisecond, func() bool { return mons.Ready() >= want }) // short of it: said below
		what := "sessions"
		if s.watch > 0 {
			what = "sessions (a polling one per monitor, and WATCH connections)"
		}
		fmt.Printf("  %s: %d of %d %s in place\n", s.name, mons.Ready(), want, what)
		if err := mons.FirstError(); err != nil {
			fmt.Printf("    (first failure: %v)\n", err)
		}
		time.Sleep(5 * time.Second) // one poll cycle past the ramp
		mons.Reset()
		cpu0 := cpuTime(s.pid)
		time.Sleep(window)
		cpu := cpuTime(s.pid) - cpu0
		slowest, polls, errs := mons.Slowest()
		fmt.Printf("    polling: %d polls (%.0f/s), %d failed, slowest reply %s; server CPU %.1f%% of one core, RSS %.1f MB, PSS %.1f MB\n",
			polls, float64(polls)/window.Seconds(), errs, slowest.Round(time.Microsecond), 100*cpu.Seconds()/window.Seconds(),
			loadgen.MB(loadgen.RSS(s.pid)), loadgen.MB(loadgen.PSS(s.pid)))
		if err := mons.FirstError(); err != nil {
			fmt.Printf("    (first failed poll: %v)\n", err)
		}
		mons.Await("OB DISCHRG")
		t0 := time.Now()
		setAll("OB DISCHRG")
		// Counting 10,000 arrivals costs CPU the servers share: every 5 ms.
		_ = until(15*time.Second, 5*time.Millisecond, func() bool { n, _, _ := mons.Arrived(t0); return n == nMon }) // short of it: said below
		n, last, median := mons.Arrived(t0)
		fmt.Printf("    every UPS on battery at once: %d of %d monitors saw it: median %s, last %s\n",
			n, nMon, median.Round(time.Millisecond), last.Round(time.Millisecond))
		if s.watch > 0 {
			wn, wlast, wmedian := mons.ArrivedPushed(t0)
			fmt.Printf("    of them the %d event-driven ones, pushed (WATCH): %d saw it, median %s, last %s\n",
				s.watch, wn, wmedian.Round(time.Millisecond), wlast.Round(time.Millisecond))
		}
		setAll("OL")
		mons.Stop()
		if s.watch == 0 {
			site.Stop() // its descriptors, for ours
		}
		time.Sleep(2 * time.Second)
	}
	return nil
}

// lockedWriter lets a process's output be collected while it runs.
type lockedWriter struct {
	mu sync.Mutex
	w  strings.Builder
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
