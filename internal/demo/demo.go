// Package demo runs sysnut's main job end to end in one unprivileged
// process: sysnut's dummy-ups driver simulating a UPS from a .dev file,
// upsd serving it on a local port, and a monitor that logs in like upsmon
// and reports what it sees while the scenario fails and restores mains
// power.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/dummy"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/upsd"
)

// Options tune the demo.
type Options struct {
	Listen string        // upsd address; default 127.0.0.1:0 (any free port)
	Step   time.Duration // length of one scenario step; default DefaultStep
	Keep   bool          // keep serving after the scenario until ctx ends
	Out    io.Writer
}

// Events the monitor reports, named after upsmon's notifications.
const (
	EventOnline  = "ONLINE"
	EventOnBatt  = "ONBATT"
	EventLowBatt = "LOWBATT"
	EventCommOK  = "COMMOK"
)

// Run plays the scenario and returns the events the monitor saw.
func Run(ctx context.Context, o Options) ([]string, error) {
	if o.Step <= 0 {
		o.Step = DefaultStep
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	start := time.Now()
	var outMu sync.Mutex
	say := func(who, format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(o.Out, "[%5.1fs] %-9s %s\n", time.Since(start).Seconds(), who, fmt.Sprintf(format, args...))
	}

	dir, err := os.MkdirTemp("", "sysnut-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()

	// The simulated UPS is sysnut's dummy-ups driver on a .dev file that
	// the scenario rewrites, exactly as an administrator would test one.
	sim := &simulator{path: filepath.Join(dir, "demo.dev"), mains: true, charge: 100}
	if err := sim.write(); err != nil {
		return nil, err
	}
	ups := &config.UPS{Name: "demo", Driver: "dummy-ups", Port: "demo.dev",
		Params: []config.Param{{Key: "driver", Value: "dummy-ups"}, {Key: "port", Value: "demo.dev"}}}
	proto, err := dummy.New(driver.Params{UPS: ups, ConfDir: dir})
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "dummy-ups-demo")
	dl, err := driversock.Listen(sock)
	if err != nil {
		return nil, fmt.Errorf("driver socket: %w", err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = driver.Run(ctx, proto, driver.Params{UPS: ups, ConfDir: dir},
			driver.Options{Driver: "dummy-ups", Version: dummy.Version, PollInterval: o.Step / 5}, dl)
	}()
	say("driver", "dummy-ups simulating a UPS from %s", sim.path)

	users, err := config.ParseUsers("built-in upsd.users", []byte("[upsmon]\npassword = demo\nupsmon primary\n"))
	if err != nil {
		return nil, err
	}
	srv := upsd.New(upsd.Config{UPS: []upsd.UPSDef{{Name: "demo", Desc: "Simulated UPS", Socket: sock}}, Users: users},
		slog.New(slog.DiscardHandler))
	l, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("upsd: %w", err)
	}
	addr := l.Addr().String()
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Run(ctx, []net.Listener{l}) }()
	say("upsd", "listening on %s; try: upsc demo@%s", addr, addr)

	events := make(chan string, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		monitor(ctx, addr, o.Step/4, func(ev, msg string) {
			say("monitor", "%s (%s)", msg, ev)
			select {
			case events <- ev:
			default:
			}
		})
	}()

	var seen []string
	wait := func(d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case ev := <-events:
				seen = append(seen, ev)
			case <-t.C:
				return nil
			}
		}
	}
	steps := []struct {
		after time.Duration
		what  string
		do    func()
	}{
		{2, "mains power fails", func() { sim.setMains(false) }},
		{3, "battery runs low", func() { sim.setCharge(18) }},
		{2, "mains power returns", func() { sim.setMains(true) }},
		{3, "battery recharged", func() { sim.setCharge(100) }},
	}
	for _, s := range steps {
		if err := wait(s.after * o.Step); err != nil {
			return seen, err
		}
		say("simulator", "%s", s.what)
		s.do()
	}
	if err := wait(o.Step); err != nil {
		return seen, err
	}
	say("demo", "done: the monitor saw %s", strings.Join(seen, ", "))
	if o.Keep {
		say("demo", "still serving on %s; Ctrl-C to stop", addr)
		<-ctx.Done()
	}
	return seen, nil
}

// monitor polls ups.status the way upsmon does and reports changes with
// upsmon's default messages.
func monitor(ctx context.Context, addr string, every time.Duration, report func(ev, msg string)) {
	system := "demo@" + addr
	var c *nutclient.Client
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	last := ""
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if c == nil {
			var err error
			if c, err = login(ctx, addr); err != nil {
				c = nil
			} else {
				report(EventCommOK, "logged in to "+system+" as a primary monitor")
			}
		}
		if c != nil {
			status, err := c.Var("demo", "ups.status")
			if err != nil {
				c.Close()
				c = nil
			} else if status != last && status != "WAIT" {
				// WAIT only means upsd is still reading the driver's dump.
				for _, ev := range changes(last, status) {
					report(ev, fmt.Sprintf(messages[ev], system))
				}
				last = status
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

var messages = map[string]string{
	EventOnline:  "UPS %s on line power",
	EventOnBatt:  "UPS %s on battery",
	EventLowBatt: "UPS %s battery is low",
}

// changes lists the notifications a status change causes. The first OL
// after start is not announced, as in upsmon.
func changes(old, cur string) []string {
	has := func(s, tok string) bool {
		for _, f := range strings.Fields(s) {
			if f == tok {
				return true
			}
		}
		return false
	}
	var out []string
	if has(cur, "OL") && !has(old, "OL") && old != "" {
		out = append(out, EventOnline)
	}
	if has(cur, "OB") && !has(old, "OB") {
		out = append(out, EventOnBatt)
	}
	if has(cur, "LB") && !has(old, "LB") {
		out = append(out, EventLowBatt)
	}
	return out
}

func login(ctx context.Context, addr string) (*nutclient.Client, error) {
	c, err := nutclient.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if err := c.Authenticate("upsmon", "demo"); err != nil {
		c.Close()
		return nil, err
	}
	for _, cmd := range []string{"LOGIN demo", "PRIMARY demo"} {
		if _, err := c.Cmd(cmd); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// simulator writes the dummy-ups data file for each step of the scenario.
type simulator struct {
	path   string
	mains  bool
	charge int
	writes int
}

func (s *simulator) setMains(on bool) { s.mains = on; s.mustWrite() }

func (s *simulator) setCharge(c int) { s.charge = c; s.mustWrite() }

func (s *simulator) mustWrite() {
	if err := s.write(); err != nil {
		panic(err) // the demo's own temp dir: nothing sensible to do
	}
}

// write replaces the .dev file; each write gets a later mtime so that the
// driver sees the change even within the file system's time resolution.
func (s *simulator) write() error {
	status, volts := "OL", "230.0"
	if !s.mains {
		status, volts = "OB", "0.0"
	}
	if s.charge < 20 {
		status += " LB"
	}
	if s.mains && s.charge < 100 {
		status += " CHRG"
	}
	data := fmt.Sprintf("ups.mfr: sysnut\nups.model: \"Simulated UPS\"\nups.status: %s\n"+
		"input.voltage: %s\nbattery.charge: %d\nbattery.charge.low: 20\n", status, volts, s.charge)
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		return err
	}
	s.writes++
	t := time.Unix(1e9+int64(s.writes), 0)
	if err := os.Chtimes(tmp, t, t); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

// DefaultStep paces the scenario so that a person can follow it.
const DefaultStep = time.Second
