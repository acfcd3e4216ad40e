// Package upsmon is the monitor: it polls each MONITORed UPS like NUT's
// upsmon, announces what changes, decides when too little power is left,
// and then runs NUT's shutdown sequence, ending in a power-off requested
// from logind rather than a root process running shutdown.
package upsmon

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/events"
)

// Notification types, as upsmon.conf names them.
const (
	Online           = "ONLINE"
	OnBatt           = "ONBATT"
	LowBatt          = "LOWBATT"
	FSD              = "FSD"
	CommOK           = "COMMOK"
	CommBad          = "COMMBAD"
	Shutdown         = "SHUTDOWN"
	ReplBatt         = "REPLBATT"
	NoComm           = "NOCOMM"
	NoParent         = "NOPARENT"
	ShutdownHostsync = "SHUTDOWN_HOSTSYNC"
)

// DefaultMessages are NUT's texts; %s is the MONITOR string ups@host.
var DefaultMessages = map[string]string{
	Online:           "UPS %s on line power",
	OnBatt:           "UPS %s on battery",
	LowBatt:          "UPS %s battery is low",
	FSD:              "UPS %s: forced shutdown in progress",
	CommOK:           "Communications with UPS %s established",
	CommBad:          "Communications with UPS %s lost",
	Shutdown:         "Auto logout and shutdown proceeding",
	ReplBatt:         "UPS %s battery needs to be replaced",
	NoComm:           "UPS %s is unavailable",
	NoParent:         "upsmon parent process died - shutdown impossible",
	"CAL":            "UPS %s: calibration in progress",
	"NOTCAL":         "UPS %s: calibration finished",
	"OFF":            "UPS %s: administratively OFF or asleep",
	"NOTOFF":         "UPS %s: no longer administratively OFF or asleep",
	"BYPASS":         "UPS %s: on bypass (powered, not protecting)",
	"NOTBYPASS":      "UPS %s: no longer on bypass",
	"OVER":           "UPS %s: overloaded",
	"NOTOVER":        "UPS %s: no longer overloaded",
	"TRIM":           "UPS %s: trimming incoming voltage",
	"NOTTRIM":        "UPS %s: no longer trimming incoming voltage",
	"BOOST":          "UPS %s: boosting incoming voltage",
	"NOTBOOST":       "UPS %s: no longer boosting incoming voltage",
	"ALARM":          "UPS %s: one or more active alarms",
	"NOTALARM":       "UPS %s: no longer in alarm state",
	ShutdownHostsync: "Waiting for secondary systems of UPS %s to shut down",
	// Newer NUT's types (upsmon.h of NUT after 2.8.0).
	"ECO":              "UPS %s: in ECO mode (as defined by vendor)",
	"NOTECO":           "UPS %s: no longer in ECO mode",
	"OTHER":            "UPS %s: has at least one unclassified status token",
	"NOTOTHER":         "UPS %s has no unclassified status tokens anymore",
	"SUSPEND_STARTING": "OS is entering sleep/suspend/hibernate mode",
	"SUSPEND_FINISHED": "OS just finished sleep/suspend/hibernate mode, de-activating obsolete UPS readings to avoid an unfortunate shutdown",
}

// MessageID is the stable journal MESSAGE_ID of a notification type, so
// that `journalctl MESSAGE_ID=...` finds every ONBATT across versions.
func MessageID(typ string) string { return events.NotifyID(typ) }

// Notifier delivers notifications the way NOTIFYFLAG says: to the journal
// (SYSLOG), to logged-in users (WALL) and to NOTIFYCMD (EXEC). The journal
// entry is written at once; WALL and NOTIFYCMD run on their own goroutines
// (NUT forks for them), so that a slow command never delays a decision.
type Notifier struct {
	Conf *config.UpsmonConf
	Log  *slog.Logger
	// Wall and Exec are the side effects, replaceable in tests.
	Wall func(ctx context.Context, msg string) error
	Exec func(ctx context.Context, cmd, typ, ups, msg string) error
	// DryRun logs what WALL and NOTIFYCMD would be given instead.
	DryRun bool
	// Test marks every notification as a test (upsmon -test-notify): the
	// text starts with "TEST: " on every channel and the journal entry
	// has TEST=1, so that nobody, and no history, takes it for an event.
	Test bool

	mu      sync.Mutex
	running int // side effects started and not yet finished, or waiting
	slots   chan struct{}
	wg      sync.WaitGroup
}

// Side effects that may run at once, and how many may wait for a turn:
// beyond that a notification's WALL or NOTIFYCMD is dropped, and logged.
const (
	maxNotifyRunning = 4
	maxNotifyPending = 64
)

// SetConf switches to a reloaded upsmon.conf; call it from the goroutine
// that calls Notify.
func (n *Notifier) SetConf(c *config.UpsmonConf) { n.Conf = c }

// Wait returns when every WALL and NOTIFYCMD started so far has ended.
func (n *Notifier) Wait() { n.wg.Wait() }

// Message renders the text of a notification for system ups@host.
func (n *Notifier) Message(typ, system string) string {
	f, ok := n.Conf.NotifyMsg[typ]
	if !ok {
		f = DefaultMessages[typ]
	}
	if strings.Contains(f, "%s") {
		return fmt.Sprintf(f, system)
	}
	return f
}

// Notify announces typ for system (ups@host; empty for SHUTDOWN). It does
// not wait for WALL or NOTIFYCMD.
func (n *Notifier) Notify(ctx context.Context, typ, system string) { n.NotifyWith(ctx, typ, system) }

// NotifyWith is Notify with more fields for the journal entry (key,
// value pairs, as slog takes them).
func (n *Notifier) NotifyWith(ctx context.Context, typ, system string, fields ...any) {
	flags, ok := n.Conf.NotifyFlag[typ]
	if !ok {
		flags = config.NotifySyslog | config.NotifyWall
	}
	msg := n.Message(typ, system)
	extra := fields
	if n.Test {
		msg = "TEST: " + msg
		extra = append(extra, "test", 1)
	}
	if flags&config.NotifySyslog != 0 {
		level := slog.LevelWarn
		switch typ {
		case Online, CommOK, "NOTCAL", "NOTOFF", "NOTBYPASS", "NOTOVER", "NOTTRIM", "NOTBOOST", "NOTALARM", "NOTECO", "NOTOTHER":
			level = slog.LevelInfo
		}
		n.Log.Log(ctx, level, msg, append([]any{"notifytype", typ, "ups", system, "message_id", MessageID(typ)}, extra...)...)
	}
	if flags&config.NotifyWall != 0 && n.Wall != nil {
		n.start(ctx, "wall", typ, system, func(ctx context.Context) error { return n.Wall(ctx, msg) })
	}
	if cmd := n.Conf.NotifyCmd; flags&config.NotifyExec != 0 && cmd != "" && n.Exec != nil {
		n.start(ctx, "NOTIFYCMD "+cmd, typ, system, func(ctx context.Context) error { return n.Exec(ctx, cmd, typ, system, msg) })
	}
}

// start runs one side effect of a notification on its own goroutine, at
// most maxNotifyRunning at once.
func (n *Notifier) start(ctx context.Context, what, typ, system string, fn func(context.Context) error) {
	log := n.Log
	if system != "" {
		log = log.With("ups", system)
	}
	if n.DryRun {
		log.Info("dry run: would run "+what+" for "+typ, "notifytype", typ)
		return
	}
	n.mu.Lock()
	if n.slots == nil {
		n.slots = make(chan struct{}, maxNotifyRunning)
	}
	if n.running >= maxNotifyRunning+maxNotifyPending {
		n.mu.Unlock()
		log.Warn(fmt.Sprintf("%s of the %s notification not run: %d still running or waiting", what, typ, maxNotifyRunning+maxNotifyPending), "to", what, "notifytype", typ, "running", maxNotifyRunning+maxNotifyPending)
		return
	}
	n.running++
	n.mu.Unlock()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer func() {
			n.mu.Lock()
			n.running--
			n.mu.Unlock()
		}()
		select {
		case n.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-n.slots }()
		if err := fn(ctx); err != nil {
			log.Warn(what+" failed for "+typ, "notifytype", typ, "err", err)
		}
	}()
}

// Wall broadcasts to logged-in terminals with util-linux's wall, as NUT does.
func Wall(ctx context.Context, msg string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wall")
	cmd.Stdin = strings.NewReader(msg + "\n")
	return cmd.Run()
}

// Exec runs NOTIFYCMD with the message as its argument and NOTIFYTYPE and
// UPSNAME in the environment, as NUT does.
func Exec(ctx context.Context, cmdline, typ, ups, msg string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cmdline, msg)
	cmd.Env = append(os.Environ(), "NOTIFYTYPE="+typ, "UPSNAME="+ups)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// CheckNotifyCmd says, once at start, when NOTIFYCMD's program cannot
// run: NUT's upssched (a common NOTIFYCMD) went with nut-client's package,
// and every notification would fail later, one by one. "" when it can run
// or when there is none.
func CheckNotifyCmd(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return ""
	}
	prog := f[0]
	if !strings.Contains(prog, "/") {
		if _, err := exec.LookPath(prog); err != nil {
			return fmt.Sprintf("NOTIFYCMD %s: %s is not on PATH: notifications will reach the journal and WALL, not it", cmd, prog)
		}
		return ""
	}
	st, err := os.Stat(prog)
	switch {
	case err != nil && strings.HasSuffix(prog, "upssched"):
		return fmt.Sprintf("NOTIFYCMD %s: NUT's upssched is not installed (it is not part of sysnut): notifications will reach the journal and WALL, not upssched; use a script of your own, or SCHEDULESHUTDOWN for a delayed power-off", cmd)
	case err != nil:
		return fmt.Sprintf("NOTIFYCMD %s: %v: notifications will reach the journal and WALL, not it", cmd, err)
	case st.Mode()&0o111 == 0 || st.IsDir():
		return fmt.Sprintf("NOTIFYCMD %s: %s is not an executable file: notifications will reach the journal and WALL, not it", cmd, prog)
	}
	return ""
}
