// Package demo shows sysnut's main job end to end in one unprivileged
// process, with the real components: sysnut's dummy-ups driver simulating
// a UPS from a .dev file, upsd serving it on a local port, and upsmon's
// own decision logic (internal/upsmon) with logind replaced by a stand-in
// that prints the call it would have received. Two scenarios: a power cut
// that outlasts the battery (ONBATT, LOWBATT, the decision, FSD, the
// notifications, the PowerOff request and the killpower flag), then, after
// a "reboot", a power cut that ends in time, where nothing is powered off.
package demo

import (
	"context"
	"errors"
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
	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/upsd"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// Options tune the demo.
type Options struct {
	Listen string        // upsd address; default 127.0.0.1:0 (any free port)
	Step   time.Duration // length of one scenario step and of upsmon's second; default DefaultStep
	Keep   bool          // keep serving after the scenarios until ctx ends
	Out    io.Writer
}

// DefaultStep paces the scenarios so that a person can follow them.
const DefaultStep = time.Second

// Scenario is what upsmon did in one scenario.
type Scenario struct {
	Events    []string // notification types, in order (ONBATT, LOWBATT, ...)
	PowerOffs int      // PowerOff calls the logind stand-in received
	Flag      string   // the killpower flag's content afterwards, "" if none
	Status    string   // ups.status upsd served at the end
}

// Result is both scenarios.
type Result struct {
	PowerCut, Brownout Scenario
}

// Run plays both scenarios.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Step <= 0 {
		o.Step = DefaultStep
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	dir, err := os.MkdirTemp("", "sysnut-demo-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	d := &demo{o: o, dir: dir, start: time.Now(), flag: filepath.Join(dir, "killpower")}
	var res Result

	d.say("demo", "scenario 1: mains fails and the battery runs low before it returns")
	res.PowerCut, err = d.scenario(ctx, []step{
		{2, "mains power fails", func(s *simulator) { s.mains = false }},
		{3, "the battery runs low", func(s *simulator) { s.charge = 18 }},
	}, false)
	if err != nil {
		return res, err
	}
	d.say("demo", "the killpower flag (%s) holds %q: at the end of the shutdown the hook runs ups-driver -k and the UPS cuts its output, so that the machine boots when mains returns",
		d.flag, strings.TrimSpace(res.PowerCut.Flag))

	d.say("demo", "scenario 2, after the machine booted again: mains fails and returns in time")
	res.Brownout, err = d.scenario(ctx, []step{
		{2, "mains power fails", func(s *simulator) { s.mains = false }},
		{3, "mains power returns", func(s *simulator) { s.mains = true }},
		{2, "the battery is recharged", func(s *simulator) { s.charge = 100 }},
	}, o.Keep)
	if err != nil {
		return res, err
	}
	d.say("demo", "done: %d PowerOff request in scenario 1, %d in scenario 2", res.PowerCut.PowerOffs, res.Brownout.PowerOffs)
	return res, nil
}

type demo struct {
	o     Options
	dir   string
	start time.Time
	flag  string
	mu    sync.Mutex // serialises output
}

func (d *demo) say(who, format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.o.Out, "[%5.1fs] %-9s %s\n", time.Since(d.start).Seconds(), who, fmt.Sprintf(format, args...))
}

// step is one change of the simulated UPS, after some steps of time.
type step struct {
	after int
	what  string
	do    func(*simulator)
}

// The accounts of the demo's upsd.users: the monitor, and an
// administrator for upscmd and upsrw with -keep.
const users = "[upsmon]\npassword = demo\nupsmon primary\n" +
	"[admin]\npassword = demo\nactions = SET FSD\ninstcmds = ALL\n"

// scenario boots the stack (driver, upsd, upsmon), plays the steps and
// reports what upsmon did. upsmon's own end (the shutdown) ends it early.
func (d *demo) scenario(ctx context.Context, steps []step, keep bool) (Scenario, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()

	sim := &simulator{path: filepath.Join(d.dir, "demo.dev"), mains: true, charge: 100}
	if err := sim.write(); err != nil {
		return Scenario{}, err
	}
	addr, err := d.serve(ctx, &wg, sim)
	if err != nil {
		return Scenario{}, err
	}

	var sc Scenario
	var scMu sync.Mutex
	conf, err := config.ParseUpsmonConf("demo upsmon.conf", []byte(fmt.Sprintf(
		"MONITOR demo@%s 1 upsmon demo primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nFINALDELAY 2\nHOSTSYNC 5\n", addr)))
	if err != nil {
		return sc, err
	}
	log := slog.New(&printer{d: d, who: "upsmon", seen: func(typ string) {
		scMu.Lock()
		sc.Events = append(sc.Events, typ)
		scMu.Unlock()
	}})
	n := &upsmon.Notifier{Conf: conf, Log: log, Wall: func(_ context.Context, msg string) error {
		d.say("wall", "%s", msg)
		return nil
	}}
	power := &logind{d: d}
	r := upsmon.NewRunner(conf, n, power, log, d.flag)
	// upsmon's seconds (POLLFREQ, FINALDELAY) pass at the demo's pace.
	r.Sleep = func(ctx context.Context, t time.Duration) error {
		return upsmon.Sleep(ctx, t*d.o.Step/time.Second)
	}
	done := make(chan error, 1)
	mctx, stopMonitor := context.WithCancel(ctx)
	defer stopMonitor()
	go func() { done <- r.Run(mctx) }()

	monitorDone := false
	wait := func(steps int) error {
		t := time.NewTimer(time.Duration(steps) * d.o.Step)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-done:
			monitorDone = true
			return err
		case <-t.C:
			return nil
		}
	}
	for _, s := range steps {
		if err := wait(s.after); err != nil || monitorDone {
			if err != nil {
				return sc, err
			}
			break
		}
		d.say("simulator", "%s", s.what)
		s.do(sim)
		if err := sim.write(); err != nil {
			return sc, err
		}
	}
	if !monitorDone {
		// A shutdown under way finishes (FINALDELAY is 2 s); otherwise
		// this is quiet time after the last step.
		if err := wait(4); err != nil {
			return sc, err
		}
	}
	if !monitorDone {
		stopMonitor()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			return sc, err
		}
	}
	sc.PowerOffs = power.calls
	if b, err := os.ReadFile(d.flag); err == nil {
		sc.Flag = string(b)
	}
	if c, err := nutclient.Dial(ctx, addr); err == nil {
		sc.Status, _ = c.Var("demo", "ups.status")
		c.Close()
	}
	d.say("upsd", "demo@%s: ups.status is now %q", addr, sc.Status)
	if keep {
		d.say("demo", "still serving: try, from another terminal,")
		for _, c := range []string{"upsc demo@" + addr, "upscmd -l demo@" + addr,
			"upsrw -u admin -p demo demo@" + addr, "upsc -j demo@" + addr} {
			d.say("demo", "    %s", c)
		}
		d.say("demo", "the data file is %s (edit it and upsc sees the change); Ctrl-C to stop", sim.path)
		<-ctx.Done()
	}
	return sc, nil
}

// serve starts the driver and upsd for the scenario, owned by wg and
// stopped with ctx, and returns upsd's address.
func (d *demo) serve(ctx context.Context, wg *sync.WaitGroup, sim *simulator) (string, error) {
	ups := &config.UPS{Name: "demo", Driver: "dummy-ups", Port: "demo.dev",
		Params: []config.Param{{Key: "driver", Value: "dummy-ups"}, {Key: "port", Value: "demo.dev"}}}
	proto, err := dummy.New(driver.Params{UPS: ups, ConfDir: d.dir})
	if err != nil {
		return "", err
	}
	sock := filepath.Join(d.dir, "dummy-ups-demo")
	dl, err := driversock.Listen(sock)
	if err != nil {
		return "", fmt.Errorf("driver socket: %w", err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = driver.Run(ctx, proto, driver.Params{UPS: ups, ConfDir: d.dir},
			driver.Options{Driver: "dummy-ups", Version: dummy.Version, PollInterval: d.o.Step * 5}, dl)
	}()
	d.say("driver", "dummy-ups simulating a UPS from %s (watched with inotify)", sim.path)

	u, err := config.ParseUsers("demo upsd.users", []byte(users))
	if err != nil {
		return "", err
	}
	srv := upsd.New(upsd.Config{UPS: []upsd.UPSDef{{Name: "demo", Desc: "Simulated UPS", Socket: sock}}, Users: u},
		slog.New(slog.DiscardHandler))
	l, err := net.Listen("tcp", d.o.Listen)
	if err != nil {
		return "", fmt.Errorf("upsd: %w", err)
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Run(ctx, []net.Listener{l}) }()
	addr := l.Addr().String()
	d.say("upsd", "serving demo@%s", addr)
	return addr, nil
}

// logind stands in for systemd-logind: it prints the call upsmon makes
// instead of powering the machine off.
type logind struct {
	d     *demo
	calls int
}

// PowerOff is org.freedesktop.login1.Manager.PowerOff(false).
func (l *logind) PowerOff(context.Context) error {
	l.calls++
	l.d.say("logind", "PowerOff(false) received from upsmon: here the machine would power off (stand-in: nothing happens)")
	return nil
}

// printer is a slog.Handler that prints upsmon's journal entries as demo
// lines and reports each notification type it sees.
type printer struct {
	d     *demo
	who   string
	seen  func(typ string)
	attrs []slog.Attr
}

func (p *printer) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (p *printer) Handle(_ context.Context, r slog.Record) error {
	fields := map[string]string{}
	add := func(a slog.Attr) bool { fields[strings.ToUpper(a.Key)] = a.Value.String(); return true }
	for _, a := range p.attrs {
		add(a)
	}
	r.Attrs(add)
	msg := logging.Sentence(r.Message, fields)
	if typ := fields["NOTIFYTYPE"]; typ != "" {
		p.seen(typ)
		msg += " (" + typ + ")"
	}
	p.d.say(p.who, "%s", msg)
	return nil
}

func (p *printer) WithAttrs(as []slog.Attr) slog.Handler {
	n := *p
	n.attrs = append(append([]slog.Attr(nil), p.attrs...), as...)
	return &n
}

func (p *printer) WithGroup(string) slog.Handler { return p }

// simulator writes the dummy-ups data file for each step of the scenario.
type simulator struct {
	path   string
	mains  bool
	charge int
}

// write replaces the .dev file at once (the driver's inotify watch sees
// the rename).
func (s *simulator) write() error {
	status, volts := "OL", "230.0"
	if !s.mains {
		status, volts = "OB DISCHRG", "0.0"
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
	return os.Rename(tmp, s.path)
}
