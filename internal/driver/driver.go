// Package driver is the framework every sysnut UPS driver runs in: it
// publishes the UPS's state on NUT's driver socket (so NUT's upsd and ours
// both serve it), applies ups.conf's default.* and override.* values,
// reconnects to a lost device while reporting DATASTALE, and tells systemd
// how it is doing. Protocols (dummy, genericups, megatec) plug in through
// the Protocol interface.
package driver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver/options"
	"github.com/sysnut/sysnut/internal/events"
)

// Protocol talks to one kind of UPS.
type Protocol interface {
	// Connect opens the device and publishes what does not change.
	Connect(ctx context.Context, s *State) error
	// Poll reads the device once and publishes its state. An error means
	// the device is lost or talking nonsense: the data goes stale and the
	// framework reconnects.
	Poll(ctx context.Context, s *State) error
	// Close releases the device.
	Close() error
	// SetVar and InstCmd carry out what upsd forwards; they return a
	// driversock.Status* value.
	SetVar(ctx context.Context, s *State, name, value string) int
	InstCmd(ctx context.Context, s *State, name, param string) int
}

// Waiter is implemented by protocols that learn of changes without
// polling (contact closure waits for modem line changes): Wait returns when
// the device changed or d passed.
type Waiter interface {
	Wait(ctx context.Context, d time.Duration) error
}

// Killer is implemented by protocols that can make the UPS cut its output.
type Killer interface {
	KillPower(ctx context.Context) error
}

// ErrNoKillPower is returned by KillPower when the device cannot do it.
var ErrNoKillPower = errors.New("this UPS cannot be told to shut down")

// Params is what a protocol is built from.
type Params struct {
	UPS     *config.UPS
	ConfDir string // relative paths in ups.conf are taken from here
	Log     *slog.Logger
	// Credentials is systemd's $CREDENTIALS_DIRECTORY, "" without one.
	Credentials string
}

// Param returns a driver parameter from the UPS section; a secret
// (options.Sensitive) the section does not give comes from the systemd
// credential NAME.KEY (the UPS's own, which a unit serving several UPSes
// needs), else KEY, when the unit has one.
func (p Params) Param(key string) (string, bool) {
	if v, ok := p.UPS.Get(key); ok || p.Credentials == "" || !options.Sensitive(p.UPS.Driver, key) {
		return v, ok
	}
	for _, name := range []string{p.UPS.Name + "." + key, key} {
		if strings.ContainsRune(name, '/') {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(p.Credentials, name)); err == nil {
			return strings.TrimRight(string(b), "\r\n"), true
		}
	}
	return "", false
}

// Int returns a numeric parameter, or def when it is not set.
func (p Params) Int(key string, def int) (int, error) {
	v, ok := p.UPS.Get(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, BadParam(key, fmt.Errorf("%s: %q is not a number", key, v))
	}
	return n, nil
}

// ParamError is a bad value of one key of a section: ups-driver names
// the line of ups.conf it is on.
type ParamError struct {
	Key string
	Err error
}

// BadParam ties err to the key whose value caused it.
func BadParam(key string, err error) error { return &ParamError{Key: key, Err: err} }

// Error is the underlying error's text.
func (e *ParamError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ParamError) Unwrap() error { return e.Err }

// Options tune the framework.
type Options struct {
	Driver       string // driver name as in ups.conf, for the socket name
	Version      string // driver.version.internal
	PollInterval time.Duration
	Retry        time.Duration // between reconnection attempts (default 5 s)
	Log          *slog.Logger
	// Notify carries sd_notify's messages (READY=1, WATCHDOG=1, STATUS=)
	// for this UPS; nil sends them to systemd. A process serving several
	// UPSes (ServeGroup) folds them into one for its unit.
	Notify func(state string)
}

func (o Options) notify(state string) {
	if o.Notify != nil {
		o.Notify(state)
		return
	}
	sdNotify(state)
}

// sdNotify tells systemd (nothing happens outside a notify service).
func sdNotify(state string) { _, _ = daemon.SdNotify(false, state) }

// Run publishes on listener l and drives p until ctx ends.
func Run(ctx context.Context, p Protocol, params Params, o Options, l net.Listener) error {
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.Retry <= 0 {
		o.Retry = 5 * time.Second
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := newState(ctx, p, params.UPS, log)
	s.Update(func(v *Vars) {
		v.Set("driver.name", o.Driver)
		v.Set("driver.version", "sysnut")
		v.Set("driver.version.internal", o.Version)
		v.Set("device.type", "ups")
		for _, prm := range params.UPS.Params {
			if !strings.HasPrefix(prm.Key, "default.") && !strings.HasPrefix(prm.Key, "override.") &&
				prm.Key != "driver" && prm.Key != "desc" && !options.Sensitive(o.Driver, prm.Key) {
				v.Set("driver.parameter."+prm.Key, prm.Value)
			}
		}
		for _, f := range params.UPS.Flags {
			v.Set("driver.flag."+f, "enabled")
		}
		v.Set("driver.parameter.pollinterval", strconv.Itoa(int(o.PollInterval/time.Second)))
		if v.Get("driver.parameter.synchronous") == nil {
			// NUT's drivers always publish it; clients list it.
			v.Set("driver.parameter.synchronous", "auto")
		}
	})

	serveErr := make(chan error, 1)
	go func() { serveErr <- s.pub.Serve(ctx, l) }()
	o.notify(daemon.SdNotifyReady + "\nSTATUS=connecting to the UPS")

	err := loop(ctx, p, s, o, log)
	if cerr := p.Close(); cerr != nil && err == nil {
		log.Debug("close", "err", cerr)
	}
	if serr := <-serveErr; serr != nil && err == nil {
		err = serr
	}
	return err
}

func loop(ctx context.Context, p Protocol, s *State, o Options, log *slog.Logger) error {
	connected := false
	lastErr := ""
	var watchdog <-chan time.Time
	if d, err := daemon.SdWatchdogEnabled(false); err == nil && d > 0 {
		t := time.NewTicker(d / 2)
		defer t.Stop()
		watchdog = t.C
	}
	report := func(what string, err error) {
		// Say each distinct problem once, not at every retry.
		if msg := what + err.Error(); msg != lastErr {
			lastErr = msg
			log.Error(what, "ups", s.ups, "err", err)
			o.notify("STATUS=" + what + ": " + err.Error())
		}
	}
	for ctx.Err() == nil {
		wait := o.PollInterval
		if !connected {
			if err := p.Connect(ctx, s); err != nil {
				s.pub.DataStale()
				report("cannot connect to the UPS", err)
				wait = o.Retry
			} else {
				connected = true
				log.Info("connected to the UPS", "ups", s.ups)
			}
		}
		if connected {
			if err := p.Poll(ctx, s); err != nil {
				if ctx.Err() != nil {
					break
				}
				s.pub.DataStale()
				report("lost the UPS", err)
				_ = p.Close()
				connected = false
				wait = o.Retry
			} else {
				s.CopyIdentity()
				s.pub.DataOK()
				if r, ok := s.testResultChanged(); ok {
					log.Info("self-test result: "+r, "ups", s.ups, "message_id", events.TestResultID, strings.ToLower(events.FieldTestResult), r)
				}
				if lastErr != "" || s.statusChanged() {
					lastErr = ""
					st, _ := s.pub.Get("ups.status")
					o.notify("STATUS=ups.status " + st)
				}
			}
		}
		if err := pause(ctx, p, connected, wait, watchdog, o.notify); err != nil && ctx.Err() == nil {
			s.pub.DataStale()
			report("lost the UPS", err)
			_ = p.Close()
			connected = false
		}
	}
	return nil
}

// pause waits for the next poll, waking early when a Waiter sees a change,
// and keeps the systemd watchdog fed meanwhile.
func pause(ctx context.Context, p Protocol, connected bool, d time.Duration, watchdog <-chan time.Time, notify func(string)) error {
	done := make(chan error, 1)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if w, ok := p.(Waiter); ok && connected {
		go func() { done <- w.Wait(wctx, d) }()
	} else {
		go func() {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-wctx.Done():
			case <-t.C:
			}
			done <- nil
		}()
	}
	for {
		select {
		case err := <-done:
			return err
		case <-watchdog:
			notify(daemon.SdNotifyWatchdog)
		case <-ctx.Done():
			return <-done
		}
	}
}
