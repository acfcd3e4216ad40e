package driver

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// ServeGroup serves several UPSes in one process, each on its own driver
// socket with its own loop, as separate ups-driver processes would. It
// exists for many network UPSes: one Go runtime for all of them costs
// less than one each (ups-driver-snmp.service).
//
// To systemd the group is one service: READY=1 once every UPS has started
// (or been refused), WATCHDOG=1 only while every UPS's loop keeps
// checking in, so one hung UPS gets the whole process restarted, and one
// STATUS= line naming each UPS. A section with a configuration error is
// reported and left out while the others run; when every section is
// refused, the error is a ConfigError. Any other error ends the group.
func ServeGroup(ctx context.Context, specs []Spec, notify func(string)) error {
	if notify == nil {
		notify = sdNotify
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := newGroup(specs, notify, time.Now)
	if d, err := daemon.SdWatchdogEnabled(false); err == nil && d > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.watch(ctx, d)
		}()
	}
	type result struct {
		spec Spec
		err  error
	}
	done := make(chan result, len(specs))
	for _, s := range specs {
		s.Notify = g.member(s.Name)
		go func() { done <- result{s, s.Serve(ctx)} }()
	}
	var refused []error
	var failed error
	for range specs {
		r := <-done
		var ce *ConfigError
		switch {
		case errors.As(r.err, &ce):
			refused = append(refused, r.err)
			g.refuse(r.spec.Name, ce.Error())
			if r.spec.Log != nil {
				r.spec.Log.Error("configuration error; this UPS is left out until ups.conf is fixed", "ups", r.spec.Name, "err", r.err)
			}
			if len(refused) == len(specs) {
				return &ConfigError{Err: errors.Join(refused...)}
			}
		case r.err != nil && failed == nil && ctx.Err() == nil:
			failed = fmt.Errorf("[%s]: %w", r.spec.Name, r.err)
			cancel()
		}
	}
	return failed
}

// group folds its members' sd_notify messages into the process's.
type group struct {
	mu      sync.Mutex
	names   []string
	ready   map[string]bool
	status  map[string]string
	checked map[string]time.Time
	started bool
	send    func(string)
	now     func() time.Time
}

func newGroup(specs []Spec, send func(string), now func() time.Time) *group {
	g := &group{ready: map[string]bool{}, status: map[string]string{}, checked: map[string]time.Time{}, send: send, now: now}
	for _, s := range specs {
		g.names = append(g.names, s.Name)
		g.checked[s.Name] = now()
	}
	sort.Strings(g.names)
	return g
}

// member is the Notify of one UPS.
func (g *group) member(name string) func(string) {
	return func(state string) {
		g.mu.Lock()
		defer g.mu.Unlock()
		changed := false
		for _, line := range strings.Split(state, "\n") {
			k, v, _ := strings.Cut(line, "=")
			switch k {
			case "READY":
				g.ready[name] = true
				changed = true
			case "WATCHDOG":
				g.checked[name] = g.now()
			case "STATUS":
				g.status[name] = v
				changed = true
			}
		}
		if changed {
			g.flush()
		}
	}
}

// refuse marks a member that will not run: it no longer holds up READY=1
// or the watchdog.
func (g *group) refuse(name, why string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ready[name] = true
	g.status[name] = "not started: " + why
	delete(g.checked, name)
	g.flush()
}

// flush sends READY=1 the first time every member is up, and the
// combined STATUS= line. Called with mu held.
func (g *group) flush() {
	var msg []string
	if !g.started && len(g.ready) == len(g.names) {
		g.started = true
		msg = append(msg, daemon.SdNotifyReady)
	}
	parts := make([]string, 0, len(g.names))
	for _, n := range g.names {
		st := g.status[n]
		if st == "" {
			st = "starting"
		}
		parts = append(parts, n+": "+st)
	}
	msg = append(msg, fmt.Sprintf("STATUS=%d UPSes; %s", len(g.names), strings.Join(parts, "; ")))
	g.send(strings.Join(msg, "\n"))
}

// watch feeds systemd's watchdog (every d/4) while each running member
// has checked in within the last 3d/4; members check in every d/2.
func (g *group) watch(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if g.alive(3 * d / 4) {
				g.send(daemon.SdNotifyWatchdog)
			}
		}
	}
}

// alive reports whether every running member checked in within max.
func (g *group) alive(max time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for name, t := range g.checked {
		if now.Sub(t) > max {
			if g.status[name] != "" && !strings.HasPrefix(g.status[name], "hung") {
				g.status[name] = "hung: its loop has not checked in for " + now.Sub(t).Round(time.Second).String()
				g.flush()
			}
			return false
		}
	}
	return true
}
