package upsmon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nuttls"
)

// Power ends the machine's life: logind's PowerOff in production, a fake
// in tests, a log line in a rehearsal.
type Power interface {
	PowerOff(ctx context.Context) error
}

// Scheduler is a Power that can also schedule a power-off and cancel it
// (logind's ScheduleShutdown and CancelScheduledShutdown).
type Scheduler interface {
	ScheduleShutdown(ctx context.Context, kind string, at time.Time) error
	CancelScheduledShutdown(ctx context.Context) (bool, error)
}

// FlagContent is what NUT writes into POWERDOWNFLAG, and checks.
const FlagContent = "upsmon-shutdown-file\n"

// DefaultFlag is where sysnut keeps the killpower flag: a directory root
// owns (tmpfiles.d) and upsmon's own user may write into.
const DefaultFlag = "/run/sysnut/killpower"

// Runner polls the UPSes with a Monitor and carries out the shutdown.
type Runner struct {
	Monitor  *Monitor
	Notifier *Notifier
	Power    Power
	Log      *slog.Logger
	Flag     string // killpower flag file
	DryRun   bool   // rehearse: everything but the power-off
	// Sleep waits, returning early when ctx ends; tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// Force, when it fires, starts the shutdown at once: upsmon -c fsd.
	Force <-chan struct{}
	// TLS is the policy for a server host (TLSPolicy); nil: NUT's
	// default, STARTTLS tried and clear text accepted.
	TLS func(host string) nuttls.Client

	conns     map[*UPS]*nutclient.Client
	pollErr   map[*UPS]string // last poll error logged, to log each cause once
	scheduled bool            // a delayed power-off is pending with logind
}

// NewRunner wires a Runner for conf: its Monitor notifies through n, the
// Notifier the Runner uses for the shutdown's own notifications, and it
// waits in real time. Options (DryRun, Force, TLS) are set on the result.
func NewRunner(conf *config.UpsmonConf, n *Notifier, power Power, log *slog.Logger, flag string) *Runner {
	return &Runner{Monitor: NewMonitor(conf, n.Notify, time.Now), Notifier: n, Power: power, Log: log, Flag: flag, Sleep: Sleep}
}

// NetworkTimeout bounds each request to upsd, as NUT's
// DEFAULT_NETWORK_TIMEOUT does: a server cut off by the network is noticed
// within it, so that DEADTIME, not TCP's retries, decides what happens.
const NetworkTimeout = 5 * time.Second

// Sleep is a context-aware time.Sleep.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run polls until a shutdown is needed, carries it out, and returns; or
// until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	r.conns = map[*UPS]*nutclient.Client{}
	defer func() {
		for _, c := range r.conns {
			c.Logout()
		}
	}()
	for {
		for _, u := range r.Monitor.UPS {
			status, err := r.poll(ctx, u)
			r.logPollError(u, err)
			r.Monitor.Observe(ctx, u, status, err)
		}
		r.schedule(ctx)
		select {
		case <-r.Force:
			r.Log.Error("forced shutdown requested (upsmon -c fsd)")
			return r.shutdown(ctx)
		default:
		}
		if need, why := r.Monitor.ShutdownNeeded(); need {
			r.Log.Error("shutting down: too little power left", "reason", why)
			return r.shutdown(ctx)
		}
		every := r.Monitor.Conf.PollFreq
		if r.Monitor.Alert() {
			every = r.Monitor.Conf.PollFreqAlert
		}
		if err := r.Sleep(ctx, every); err != nil {
			return nil
		}
	}
}

// schedule keeps a delayed power-off pending with logind while any UPS is
// on battery, when SCHEDULESHUTDOWN asks for it.
func (r *Runner) schedule(ctx context.Context) {
	delay := r.Monitor.Conf.ScheduleShutdown
	s, ok := r.Power.(Scheduler)
	if delay <= 0 || !ok {
		return
	}
	kind := "poweroff"
	if r.DryRun {
		kind = "dry-poweroff"
	}
	switch alert := r.Monitor.Alert(); {
	case alert && !r.scheduled:
		at := r.Monitor.Now().Add(delay)
		if err := s.ScheduleShutdown(ctx, kind, at); err != nil {
			r.Log.Error("cannot schedule the power-off", "err", err)
			return
		}
		r.scheduled = true
		r.Log.Warn("on battery: power-off scheduled", "at", at.Format(time.RFC3339), "kind", kind)
	case !alert && r.scheduled:
		if _, err := s.CancelScheduledShutdown(ctx); err != nil {
			r.Log.Error("cannot cancel the scheduled power-off", "err", err)
			return
		}
		r.scheduled = false
		r.Log.Warn("mains is back: scheduled power-off cancelled")
	}
}

// logPollError logs why a poll failed, as NUT's "Poll UPS failed", but
// only when the cause changes: a server down for an hour is one line.
func (r *Runner) logPollError(u *UPS, err error) {
	if r.pollErr == nil {
		r.pollErr = map[*UPS]string{}
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if msg != r.pollErr[u] && msg != "" {
		r.Log.Warn("poll failed", "ups", u.System, "err", msg)
	}
	r.pollErr[u] = msg
}

// poll reads ups.status, logging in first if there is no connection.
func (r *Runner) poll(ctx context.Context, u *UPS) (string, error) {
	c := r.conns[u]
	if c == nil {
		var err error
		if c, err = r.login(ctx, u); err != nil {
			return "", err
		}
		r.conns[u] = c
	}
	st, err := c.Var(u.Conf.UPS, "ups.status")
	if err != nil {
		var ne *net.OpError
		var ce *nutclient.ConnError
		if errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, nutclient.ErrServerDisconnected) {
			c.Close()
			delete(r.conns, u)
		}
		return "", err
	}
	return st, nil
}

// login connects, authenticates, LOGINs and, for a primary, claims
// PRIMARY, falling back to MASTER for older servers.
func (r *Runner) login(ctx context.Context, u *UPS) (*nutclient.Client, error) {
	addr := net.JoinHostPort(u.Conf.Host, strconv.Itoa(u.Conf.Port))
	var policy nuttls.Client
	if r.TLS != nil {
		policy = r.TLS(u.Conf.Host)
	}
	// NetworkTimeout bounds the connection and STARTTLS too, not only the
	// requests after it.
	dctx, cancel := context.WithTimeout(ctx, NetworkTimeout)
	c, err := nutclient.DialTLS(dctx, addr, policy)
	cancel()
	if err != nil {
		return nil, err
	}
	c.SetTimeout(NetworkTimeout)
	fail := func(err error) (*nutclient.Client, error) {
		c.Close()
		r.Log.Warn("login failed", "ups", u.System, "err", err)
		return nil, err
	}
	if err := c.Authenticate(u.Conf.User, u.Conf.Password); err != nil {
		return fail(err)
	}
	if _, err := c.Cmd("LOGIN " + u.Conf.UPS); err != nil {
		return fail(fmt.Errorf("LOGIN: %w", err))
	}
	if u.Conf.Primary {
		if _, err := c.Cmd("PRIMARY " + u.Conf.UPS); err != nil {
			if _, err2 := c.Cmd("MASTER " + u.Conf.UPS); err2 != nil {
				return fail(fmt.Errorf("PRIMARY: %w", err))
			}
		}
	}
	r.Log.Info("logged in", "ups", u.System, "primary", u.Conf.Primary)
	return c, nil
}

// shutdown is NUT's sequence: FSD on the UPSes we are primary of, wait
// for the secondaries to log out (up to HOSTSYNC), announce, FINALDELAY,
// set the killpower flag, power off.
func (r *Runner) shutdown(ctx context.Context) error {
	primary := false
	for _, u := range r.Monitor.UPS {
		if !u.Conf.Primary {
			continue
		}
		primary = true
		if c := r.conns[u]; c != nil {
			if _, err := c.Cmd("FSD " + u.Conf.UPS); err != nil {
				r.Log.Warn("FSD failed", "ups", u.System, "err", err)
			}
		}
	}
	if primary {
		r.waitSecondaries(ctx)
	}
	r.Notifier.Notify(ctx, Shutdown, "")
	if err := r.Sleep(ctx, r.Monitor.Conf.FinalDelay); err != nil {
		return err
	}
	if primary {
		if err := WriteFlag(r.Flag); err != nil {
			r.Log.Error("cannot set the killpower flag: the UPS will not be told to cut power", "file", r.Flag, "err", err)
		}
	}
	if r.DryRun {
		r.Log.Warn("dry run: this is where the machine would power off")
		return nil
	}
	return r.powerOff(ctx)
}

// waitSecondaries polls NUMLOGINS every 250 ms until only this monitor is
// logged in to each primary UPS, or HOSTSYNC has passed.
func (r *Runner) waitSecondaries(ctx context.Context) {
	deadline := r.Monitor.Now().Add(r.Monitor.Conf.HostSync)
	announced := false
	for r.Monitor.Now().Before(deadline) {
		waiting := false
		for _, u := range r.Monitor.UPS {
			c := r.conns[u]
			if !u.Conf.Primary || c == nil {
				continue
			}
			if n, err := c.NumLogins(u.Conf.UPS); err == nil && n > 1 {
				waiting = true
				if !announced {
					announced = true
					r.Notifier.Notify(ctx, ShutdownHostsync, u.System)
				}
			}
		}
		if !waiting || r.Sleep(ctx, 250*time.Millisecond) != nil {
			return
		}
	}
	r.Log.Warn("secondaries still logged in after HOSTSYNC; shutting down anyway")
}

// powerOff asks logind (or runs SHUTDOWNCMD), and keeps asking loudly if
// it is refused: a refusal here means the machine dies with the battery.
func (r *Runner) powerOff(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		var err error
		if cmd := r.Monitor.Conf.ShutdownCmd; cmd != "" {
			out, e := exec.CommandContext(ctx, "/bin/sh", "-c", cmd).CombinedOutput()
			if e != nil {
				err = fmt.Errorf("SHUTDOWNCMD %q: %w: %s", cmd, e, out)
			}
		} else {
			err = r.Power.PowerOff(ctx)
		}
		if err == nil {
			r.Log.Warn("power-off requested")
			return nil
		}
		r.Log.Error("POWER-OFF REFUSED: this machine will lose power uncleanly unless this is fixed", "attempt", attempt, "err", err)
		if r.Sleep(ctx, 5*time.Second) != nil {
			return err
		}
	}
}

// WriteFlag creates the killpower flag with NUT's content.
func WriteFlag(path string) error {
	tmp := filepath.Join(filepath.Dir(path), ".killpower.tmp")
	if err := os.WriteFile(tmp, []byte(FlagContent), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// FlagSet reports whether the killpower flag is present with NUT's
// content, as `upsmon -K` checks it.
func FlagSet(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.TrimRight(string(b), "\n") == strings.TrimRight(FlagContent, "\n")
}
