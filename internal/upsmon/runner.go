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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
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

// FlagPath is where the killpower flag lives for POWERDOWNFLAG, and a note
// when it is not where upsmon.conf says. The sandboxed monitor may never
// write under /etc (ProtectSystem=strict), so a flag there (Debian's and
// NUT's stock POWERDOWNFLAG /etc/killpower) is kept at DefaultFlag;
// upsmon -K, which the shutdown hook asks, maps it the same way, so both
// agree whoever runs them.
func FlagPath(powerDownFlag string) (path, note string) {
	p := filepath.Clean(powerDownFlag)
	switch {
	case powerDownFlag == "":
		return DefaultFlag, ""
	case strings.HasPrefix(p, "/etc/"):
		return DefaultFlag, "POWERDOWNFLAG " + powerDownFlag + " is under /etc, which the sandboxed monitor may not write: " +
			"the flag is kept at " + DefaultFlag + " and the shutdown hook (upsmon -K) looks there"
	}
	return p, ""
}

// StockShutdown reports whether SHUTDOWNCMD is one of the usual commands
// that power the machine off (Debian's "/sbin/shutdown -h +0", poweroff,
// systemctl poweroff...). upsmon asks logind instead: it does not run as
// root, so such a command would fail, and the machine would lose power.
func StockShutdown(cmd string) bool {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return false
	}
	switch filepath.Base(f[0]) {
	case "shutdown":
		return !slices.Contains(f[1:], "-r") && !slices.Contains(f[1:], "-c") && !slices.Contains(f[1:], "--reboot")
	case "poweroff", "halt":
		return true
	case "systemctl":
		return len(f) >= 2 && (f[len(f)-1] == "poweroff" || f[len(f)-1] == "halt")
	}
	return false
}

// Runner polls the UPSes with a Monitor and carries out the shutdown. It
// lives as long as the monitor runs: a reload is a Reload call on it, never
// a new Runner, so nothing it has learned or scheduled is forgotten.
type Runner struct {
	Monitor  *Monitor
	Notifier *Notifier
	Power    Power
	Log      *slog.Logger
	Flag     string // killpower flag file
	// DryRun rehearses: the decisions are made and logged, but nothing
	// outside this process is touched (no FSD, no flag, no logind, no
	// notification command or wall).
	DryRun bool
	// Sleep waits, returning early when ctx ends; tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// Force, when it fires, starts the shutdown at once: upsmon -c fsd.
	Force <-chan struct{}
	// BootID identifies this boot in the killpower flag (BootID by default).
	BootID func() (string, error)
	// StateFile, if set, is where the monitor's State is published
	// (statefile.go).
	StateFile string

	reloads   chan *config.UpsmonConf
	conns     map[*UPS]*nutclient.Client
	push      pushes          // upsd's WATCH connections (watch.go)
	pollErr   map[*UPS]string // last poll error logged, to log each cause once
	scheduled bool            // a delayed power-off is pending with logind
	alert     bool            // some UPS was on battery at the last poll

	scheduledAt  time.Time // when the pending power-off happens; zero if none
	shuttingDown bool
	stateWritten []byte // the state file as last written
	stateErr     string // the last failure to write it, logged once
}

// NewRunner wires a Runner for conf: its Monitor notifies through n, the
// Notifier the Runner uses for the shutdown's own notifications, and it
// waits in real time. Options (DryRun, Force) are set on the result.
func NewRunner(conf *config.UpsmonConf, n *Notifier, power Power, log *slog.Logger, flag string) *Runner {
	r := &Runner{Notifier: n, Power: power, Log: log,
		Flag: flag, Sleep: Sleep, BootID: BootID, reloads: make(chan *config.UpsmonConf, 1)}
	r.Monitor = NewMonitor(conf, r.notify, time.Now)
	return r
}

// notify hands the Monitor's notifications to the Notifier, adding to
// ONLINE the lowest charge read during the power failure that ended.
func (r *Runner) notify(ctx context.Context, typ, system string) {
	if typ == Online {
		for _, u := range r.Monitor.UPS {
			if u.System == system && u.LowestCharge() != "" {
				r.Notifier.NotifyWith(ctx, typ, system, strings.ToLower(events.FieldLowestCharge), u.LowestCharge())
				return
			}
		}
	}
	r.Notifier.Notify(ctx, typ, system)
}

// Reload hands a new upsmon.conf to the running Runner, which applies it
// between two polls. Only the newest of several pending reloads is kept.
func (r *Runner) Reload(c *config.UpsmonConf) {
	for {
		select {
		case r.reloads <- c:
			return
		default:
		}
		select {
		case <-r.reloads:
		default:
		}
	}
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
// until ctx ends, when it cancels a power-off it scheduled with logind.
func (r *Runner) Run(ctx context.Context) error {
	r.conns = map[*UPS]*nutclient.Client{}
	r.push.init()
	defer r.push.stop()
	defer r.Notifier.Wait()
	defer func() {
		for _, c := range r.conns {
			c.Logout()
		}
	}()
	r.clearFlag("left by an earlier run")
	for {
		for _, u := range r.Monitor.UPS {
			status, err := r.poll(ctx, u)
			var answered *nutproto.Error
			if err == nil || errors.As(err, &answered) {
				// upsd answered, if only DRIVER-NOT-CONNECTED (just
				// restarted): WATCH pushes the status once there is one.
				r.watch(ctx, u, status)
			}
			if err == nil {
				r.sampleCharge(u, status)
			}
			r.logPollError(u, err)
			r.Monitor.Observe(ctx, u, status, err)
		}
		alert := r.Monitor.Alert()
		if r.alert && !alert {
			r.clearFlag("mains is back")
		}
		r.alert = alert
		r.schedule(ctx)
		r.publishState()
		if need, why := r.Monitor.ShutdownNeeded(); need {
			r.Log.Error("shutting down: too little power left: "+why, "reason", why)
			return r.shutdown(ctx)
		}
		every := r.Monitor.Conf.PollFreq
		if alert {
			every = r.Monitor.Conf.PollFreqAlert
		}
		switch r.wait(ctx, every) {
		case woken:
		case forced:
			r.Log.Error("forced shutdown requested (upsmon -c fsd)")
			return r.shutdown(ctx)
		case stopped:
			r.unschedule()
			return nil
		}
	}
}

type wakeup int

const (
	woken   wakeup = iota // time to poll again (also after a reload or a pushed change)
	forced                // upsmon -c fsd
	stopped               // ctx ended
)

// wait sleeps until the next poll, applying a reload at once and
// returning early for a forced shutdown or the end of ctx.
func (r *Runner) wait(ctx context.Context, d time.Duration) wakeup {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slept := make(chan error, 1)
	go func() { slept <- r.Sleep(wctx, d) }()
	for {
		select {
		case err := <-slept:
			if err != nil || ctx.Err() != nil {
				return stopped
			}
			return woken
		case <-r.push.wake:
			cancel()
			<-slept
			return woken
		case <-r.Force:
			cancel()
			<-slept
			return forced
		case c := <-r.reloads:
			cancel()
			<-slept
			r.apply(c)
			return woken
		}
	}
}

// apply switches to a reloaded upsmon.conf: state is kept per UPS, and a
// connection is kept only where the server, credentials and TLS policy are
// unchanged.
func (r *Runner) apply(c *config.UpsmonConf) {
	oldConf := r.Monitor.Conf
	was := map[*UPS]config.Monitor{}
	for _, u := range r.Monitor.UPS {
		was[u] = u.Conf
	}
	for _, u := range r.Monitor.Reload(c) {
		r.disconnect(u)
	}
	for _, u := range r.Monitor.UPS {
		old, kept := was[u]
		old.Line, old.Power = u.Conf.Line, u.Conf.Power
		if kept && (old != u.Conf || TLSPolicy(oldConf, old.Host) != TLSPolicy(c, u.Conf.Host)) {
			r.disconnect(u)
		}
	}
	r.Notifier.SetConf(c)
	r.Log.Info(fmt.Sprintf("configuration reloaded; the state of each of the %d UPSes kept", len(r.Monitor.UPS)), "ups_count", len(r.Monitor.UPS))
}

// disconnect logs out of u's server and forgets the connection.
func (r *Runner) disconnect(u *UPS) {
	if c := r.conns[u]; c != nil {
		c.Logout()
	}
	delete(r.conns, u)
	delete(r.pollErr, u)
	r.push.forget(u)
}

// schedule keeps a delayed power-off pending with logind while any UPS is
// on battery, when SCHEDULESHUTDOWN asks for it, and cancels it when mains
// is back or a reload turned SCHEDULESHUTDOWN off.
func (r *Runner) schedule(ctx context.Context) {
	delay := r.Monitor.Conf.ScheduleShutdown
	s, ok := r.Power.(Scheduler)
	if !ok {
		return
	}
	switch want := delay > 0 && r.alert; {
	case want && !r.scheduled:
		at := r.Monitor.Now().Add(delay)
		if r.DryRun {
			r.Log.Warn("dry run: on battery: would schedule a power-off with logind for "+at.Format(time.RFC3339), "at", at.Format(time.RFC3339))
		} else if err := s.ScheduleShutdown(ctx, "poweroff", at); err != nil {
			r.Log.Error("cannot schedule the power-off", "err", err)
			return
		} else {
			r.Log.Warn("on battery: power-off scheduled for "+at.Format(time.RFC3339), "at", at.Format(time.RFC3339))
		}
		r.scheduled, r.scheduledAt = true, at
	case !want && r.scheduled:
		if r.DryRun {
			r.Log.Warn("dry run: would cancel the scheduled power-off")
		} else if _, err := s.CancelScheduledShutdown(ctx); err != nil {
			r.Log.Error("cannot cancel the scheduled power-off", "err", err)
			return
		} else {
			r.Log.Warn("scheduled power-off cancelled")
		}
		r.scheduled, r.scheduledAt = false, time.Time{}
	}
}

// unschedule cancels a power-off this monitor scheduled, when it stops:
// nobody would be left to cancel it when mains returns.
func (r *Runner) unschedule() {
	s, ok := r.Power.(Scheduler)
	if !ok || !r.scheduled || r.DryRun {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), NetworkTimeout)
	defer cancel()
	if _, err := s.CancelScheduledShutdown(ctx); err != nil {
		r.Log.Error("stopping: cannot cancel the power-off this monitor scheduled", "err", err)
		return
	}
	r.scheduled = false
	r.Log.Warn("stopping: scheduled power-off cancelled")
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
	st, kept, err := r.pollOnce(ctx, u)
	if err != nil && kept {
		// The session of an earlier poll is gone (upsd restarted, as
		// under socket activation it may at any time): log in again at
		// once rather than count a failure and wait for the next poll.
		st, _, err = r.pollOnce(ctx, u)
	}
	return st, err
}

// sampleCharge reads battery.charge while u is on battery, for the lowest
// charge of the outage; a failure only leaves a sample out.
func (r *Runner) sampleCharge(u *UPS, status string) {
	if !u.OnBattery() && !slices.Contains(strings.Fields(status), "OB") {
		return
	}
	if c := r.conns[u]; c != nil {
		if v, err := c.Var(u.Conf.UPS, "battery.charge"); err == nil {
			u.SampleCharge(v)
		}
	}
}

// pollOnce is one GET VAR ups.status, logging in first if there is no
// session; kept says whether an existing session was used and lost.
func (r *Runner) pollOnce(ctx context.Context, u *UPS) (status string, kept bool, err error) {
	c := r.conns[u]
	if c == nil {
		if c, err = r.login(ctx, u); err != nil {
			return "", false, err
		}
		r.conns[u] = c
	} else {
		kept = true
	}
	st, err := c.Var(u.Conf.UPS, "ups.status")
	if err != nil {
		var ne *net.OpError
		var ce *nutclient.ConnError
		if errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, nutclient.ErrServerDisconnected) {
			c.Close()
			delete(r.conns, u)
			return "", kept, err
		}
		return "", false, err
	}
	return st, false, nil
}

// login connects, authenticates, LOGINs and, for a primary, claims
// PRIMARY, falling back to MASTER for older servers.
func (r *Runner) login(ctx context.Context, u *UPS) (*nutclient.Client, error) {
	c, err := r.dial(ctx, u)
	if err != nil {
		if c == nil {
			return nil, err
		}
		r.Log.Warn("login failed", "ups", u.System, "err", err)
		return nil, err
	}
	fail := func(err error) (*nutclient.Client, error) {
		c.Close()
		r.Log.Warn("login failed", "ups", u.System, "err", err)
		return nil, err
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

// dial connects to u's server under its TLS policy and authenticates. On
// a failure to authenticate it returns the (closed) client with the
// error, so that the caller can tell it from a failure to connect.
func (r *Runner) dial(ctx context.Context, u *UPS) (*nutclient.Client, error) {
	addr := net.JoinHostPort(u.Conf.Host, strconv.Itoa(u.Conf.Port))
	policy := TLSPolicy(r.Monitor.Conf, u.Conf.Host)
	// NetworkTimeout bounds the connection and STARTTLS too, not only the
	// requests after it.
	dctx, cancel := context.WithTimeout(ctx, NetworkTimeout)
	c, err := nutclient.DialTLS(dctx, addr, policy)
	cancel()
	if err != nil {
		return nil, err
	}
	c.SetTimeout(NetworkTimeout)
	if err := c.Authenticate(u.Conf.User, u.Conf.Password); err != nil {
		c.Close()
		return c, err
	}
	return c, nil
}

// shutdown is NUT's sequence: FSD on the UPSes we are primary of, wait
// for the secondaries to log out (up to HOSTSYNC), announce, FINALDELAY,
// power off, and then set the killpower flag. The flag comes last so that
// it only ever exists for a power-off that was really requested.
func (r *Runner) shutdown(ctx context.Context) error {
	r.shuttingDown = true
	r.publishState()
	primary := false
	for _, u := range r.Monitor.UPS {
		if !u.Conf.Primary {
			continue
		}
		primary = true
		if r.DryRun {
			r.Log.Warn("dry run: would set FSD on the UPS (every secondary would shut down)", "ups", u.System)
			continue
		}
		if c := r.conns[u]; c != nil {
			if _, err := c.Cmd("FSD " + u.Conf.UPS); err != nil {
				r.Log.Warn("FSD failed", "ups", u.System, "err", err)
			} else {
				r.Log.Warn("FSD set: every secondary of this UPS shuts down too", "ups", u.System)
			}
		}
	}
	if primary && !r.DryRun {
		r.waitSecondaries(ctx)
	}
	r.Notifier.Notify(ctx, Shutdown, "")
	if err := r.Sleep(ctx, r.Monitor.Conf.FinalDelay); err != nil {
		return err
	}
	if r.DryRun {
		if primary {
			r.Log.Warn("dry run: would set the killpower flag "+r.Flag, "file", r.Flag)
		}
		r.Log.Warn("dry run: this is where the machine would power off")
		return nil
	}
	if err := r.powerOff(ctx); err != nil {
		return err
	}
	if primary {
		if err := r.writeFlag(); err != nil {
			r.Log.Error("cannot set the killpower flag "+r.Flag+": the UPS will not be told to cut power", "file", r.Flag, "err", err)
		}
	}
	return nil
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

// powerOff runs a custom SHUTDOWNCMD or asks logind, and keeps asking
// loudly if it is refused: a refusal here means the machine dies with the
// battery. A stock shutdown command is logind's job (StockShutdown), and a
// custom one that fails is followed by logind's PowerOff.
func (r *Runner) powerOff(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		var err error
		if cmd := r.Monitor.Conf.ShutdownCmd; cmd != "" && !StockShutdown(cmd) {
			// As for logind below: the command's own power-off must not
			// cut it short by stopping upsmon.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), powerOffTimeout)
			out, e := exec.CommandContext(cctx, "/bin/sh", "-c", cmd).CombinedOutput()
			cancel()
			if e != nil {
				r.Log.Error("SHUTDOWNCMD "+cmd+" failed; asking logind to power off instead", "cmd", cmd, "err", e, "output", strings.TrimSpace(string(out)))
				err = r.powerOffLogged(ctx)
			}
		} else {
			err = r.powerOffLogged(ctx)
		}
		if err == nil {
			return nil
		}
		r.Log.Error(fmt.Sprintf("POWER-OFF REFUSED (attempt %d): this machine will lose power uncleanly unless this is fixed", attempt), "attempt", attempt, "err", err)
		if r.Sleep(ctx, 5*time.Second) != nil {
			return err
		}
	}
}

// powerOffLogged asks logind to power off, saying so first: once logind
// accepts, the machine is going down and upsmon may be stopped before it
// could log anything, so the journal would lack the request. A refusal
// is logged after it (POWER-OFF REFUSED).
func (r *Runner) powerOffLogged(ctx context.Context) error {
	r.Log.Warn("power-off requested")
	// The power-off this asks for stops upsmon (SIGTERM ends ctx) as soon
	// as logind starts it, possibly before its answer is read: the request
	// is seen through on its own clock, so that an accepted power-off is
	// known as accepted and the killpower flag gets written.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), powerOffTimeout)
	defer cancel()
	return r.Power.PowerOff(pctx)
}

// powerOffTimeout bounds one power-off request once it is sent.
const powerOffTimeout = 30 * time.Second

// writeFlag sets the killpower flag for this boot.
func (r *Runner) writeFlag() error {
	id, err := r.BootID()
	if err != nil {
		return fmt.Errorf("boot ID: %w", err)
	}
	return WriteFlag(r.Flag, id)
}

// clearFlag removes a killpower flag that no power-off in progress set: one
// left by an earlier run would make the shutdown hook cut the UPS's output
// on the next ordinary power-off, as NUT's upsmon removes it at start.
func (r *Runner) clearFlag(why string) {
	if r.DryRun {
		return
	}
	err := os.Remove(r.Flag)
	switch {
	case err == nil:
		r.Log.Warn("killpower flag "+r.Flag+" removed: "+why, "file", r.Flag)
	case !errors.Is(err, os.ErrNotExist):
		r.Log.Error("cannot remove the stale killpower flag "+r.Flag+": the next power-off may cut the UPS's output", "file", r.Flag, "err", err)
	}
}

// BootIDFile is where Linux publishes the current boot's random ID.
const BootIDFile = "/proc/sys/kernel/random/boot_id"

// BootIDEnv names the variable ups-monitor.service sets to the boot ID
// (Environment=SYSNUT_BOOT_ID=%b): its sandbox (ProcSubset=pid) hides
// /proc/sys.
const BootIDEnv = "SYSNUT_BOOT_ID"

// BootID returns the current boot's ID, in the kernel's spelling (with
// dashes; systemd's %b has none, and both are accepted).
func BootID() (string, error) {
	if id := os.Getenv(BootIDEnv); id != "" {
		return normalBootID(id), nil
	}
	b, err := os.ReadFile(BootIDFile)
	if err != nil {
		return "", err
	}
	return normalBootID(string(b)), nil
}

// normalBootID spells a boot ID as 32 lower-case hex digits, whichever of
// the kernel's and systemd's spellings it came in.
func normalBootID(id string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(id), "-", ""))
}

// WriteFlag creates the killpower flag: NUT's magic line, which NUT's own
// upsmon -K recognises, then the boot it belongs to.
func WriteFlag(path, bootID string) error {
	return writeAtomic(path, []byte(FlagContent+"boot_id="+bootID+"\n"))
}

// FlagSet reports whether the killpower flag is set for the boot bootID,
// as `upsmon -K` checks it for the shutdown hook: NUT's magic line first,
// and this boot's ID. A flag from another boot, or one without an ID (not
// written by a power-off sysnut requested), is not set.
func FlagSet(path, bootID string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	first, rest, _ := strings.Cut(string(b), "\n")
	if first+"\n" != FlagContent {
		return false
	}
	for _, l := range strings.Split(rest, "\n") {
		if id, ok := strings.CutPrefix(l, "boot_id="); ok && id != "" && normalBootID(id) == normalBootID(bootID) {
			return true
		}
	}
	return false
}
