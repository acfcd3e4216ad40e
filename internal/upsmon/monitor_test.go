package upsmon_test

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/upsmon"
)

type step struct {
	after  time.Duration // clock advance before this poll
	status string        // "" with err set: a failed poll
	err    bool
	notes  []string // notifications this poll causes
	crit   bool     // is the UPS critical afterwards
	down   bool     // is a shutdown needed afterwards
}

func conf(t *testing.T, text string) *config.UpsmonConf {
	t.Helper()
	c, err := config.ParseUpsmonConf("upsmon.conf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// play drives one monitor through steps on a fake clock.
func play(t *testing.T, c *config.UpsmonConf, steps []step) {
	t.Helper()
	now := time.Unix(1e9, 0)
	var notes []string
	m := upsmon.NewMonitor(c, func(_ context.Context, typ, sys string) { notes = append(notes, typ) }, func() time.Time { return now })
	u := m.UPS[0]
	for i, s := range steps {
		now = now.Add(s.after)
		notes = nil
		var err error
		if s.err {
			err = errors.New("ERR DATA-STALE")
		}
		m.Observe(context.Background(), u, s.status, err)
		if !reflect.DeepEqual(notes, s.notes) && !(len(notes) == 0 && len(s.notes) == 0) {
			t.Errorf("step %d (%q): notifications %v, want %v", i, s.status, notes, s.notes)
		}
		crit, why := m.Critical(u)
		if crit != s.crit {
			t.Errorf("step %d (%q): critical = %v (%s), want %v", i, s.status, crit, why, s.crit)
		}
		if down, _ := m.ShutdownNeeded(); down != s.down {
			t.Errorf("step %d (%q): shutdown = %v, want %v", i, s.status, down, s.down)
		}
	}
}

const primary = "MONITOR ups@localhost 1 mon pass primary\n"
const secondary = "MONITOR ups@server 1 mon pass secondary\nHOSTSYNC 15\n"

func TestPowerFailureOnPrimary(t *testing.T) {
	t.Parallel()
	play(t, conf(t, primary), []step{
		{status: "OL"}, // the first OL is not announced
		{after: 5 * time.Second, status: "OL CHRG"},
		{after: 5 * time.Second, status: "OB DISCHRG", notes: []string{"ONBATT"}},
		{after: 5 * time.Second, status: "OL", notes: []string{"ONLINE"}},
		{after: 5 * time.Second, status: "OB", notes: []string{"ONBATT"}},
		{after: 5 * time.Second, status: "OB LB", notes: []string{"LOWBATT"}, crit: true, down: true},
	})
}

func TestFirstPollOnBattery(t *testing.T) {
	t.Parallel()
	play(t, conf(t, primary), []step{{status: "OB", notes: []string{"ONBATT"}}})
}

func TestSecondaryWaitsHostsync(t *testing.T) {
	t.Parallel()
	play(t, conf(t, secondary), []step{
		{status: "OB", notes: []string{"ONBATT"}},
		{after: 5 * time.Second, status: "OB LB", notes: []string{"LOWBATT"}}, // primary gets HOSTSYNC to set FSD
		{after: 5 * time.Second, status: "OB LB"},
		{after: 6 * time.Second, status: "OB LB", crit: true, down: true}, // 16 s since the last non-critical poll
	})
	play(t, conf(t, secondary), []step{
		{status: "OB", notes: []string{"ONBATT"}},
		{after: time.Second, status: "FSD OB LB", notes: []string{"LOWBATT", "FSD"}, crit: true, down: true},
	})
}

func TestDeadtime(t *testing.T) {
	t.Parallel()
	c := conf(t, primary+"DEADTIME 15\nNOCOMMWARNTIME 60\n")
	play(t, c, []step{
		{status: "OB", notes: []string{"ONBATT"}},
		{after: 5 * time.Second, err: true, notes: []string{"COMMBAD"}},
		{after: 5 * time.Second, err: true},
		{after: 6 * time.Second, err: true, crit: true, down: true}, // 16 s since last contact, last seen OB
	})
	play(t, c, []step{
		{status: "OL"},
		{after: 5 * time.Second, err: true, notes: []string{"COMMBAD"}},
		{after: 50 * time.Second, err: true}, // lost while on line: not critical
		{after: 10 * time.Second, err: true, notes: []string{"NOCOMM"}},
		{after: 30 * time.Second, err: true},
		{after: 30 * time.Second, err: true, notes: []string{"NOCOMM"}},
		{after: 5 * time.Second, status: "OL", notes: []string{"COMMOK"}},
	})
}

func TestLostWhileNotProtecting(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"CAL", "BYPASS", "OFF", "ALARM", "OVER"} {
		c := conf(t, primary+"DEADTIME 15\nOFFDURATION 600\n")
		now := time.Unix(1e9, 0)
		m := upsmon.NewMonitor(c, func(context.Context, string, string) {}, func() time.Time { return now })
		u := m.UPS[0]
		m.Observe(context.Background(), u, "OL "+tok, nil)
		now = now.Add(10 * time.Second)
		m.Observe(context.Background(), u, "", errors.New("lost"))
		if crit, _ := m.Critical(u); crit {
			t.Errorf("%s: critical before DEADTIME", tok)
		}
		now = now.Add(10 * time.Second)
		if crit, why := m.Critical(u); !crit || !strings.Contains(why, tok) {
			t.Errorf("%s: lost past DEADTIME: %v %q", tok, crit, why)
		}
	}
}

func TestNeverReachedIsHealthy(t *testing.T) {
	t.Parallel()
	play(t, conf(t, primary+"NOCOMMWARNTIME 10\n"), []step{
		{err: true}, // no COMMBAD: there was never contact
		{after: 11 * time.Second, err: true, notes: []string{"NOCOMM"}},
		{after: time.Second, status: "OL"}, // first contact: no COMMOK
	})
}

func TestStatusNotifications(t *testing.T) {
	t.Parallel()
	play(t, conf(t, primary+"RBWARNTIME 100\nOFFDURATION 30\n"), []step{
		{status: "OL RB", notes: []string{"REPLBATT"}},
		{after: 50 * time.Second, status: "OL RB"},
		{after: 51 * time.Second, status: "OL RB CAL", notes: []string{"REPLBATT", "CAL"}},
		{after: time.Second, status: "OL BYPASS TRIM", notes: []string{"NOTCAL", "BYPASS", "TRIM"}},
		{after: time.Second, status: "OL BOOST OVER ALARM WEIRDTOKEN", notes: []string{"NOTBYPASS", "OVER", "NOTTRIM", "BOOST", "ALARM"}},
		{after: time.Second, status: "OFF", notes: []string{"OFF", "NOTOVER", "NOTBOOST", "NOTALARM"}},
		{after: 31 * time.Second, status: "OFF", crit: true, down: true},
		{after: time.Second, status: "OL", notes: []string{"NOTOFF"}},
	})
}

func TestMinSupplies(t *testing.T) {
	t.Parallel()
	c := conf(t, "MONITOR a@h 1 u p primary\nMONITOR b@h 1 u p primary\nMINSUPPLIES 1\n")
	now := time.Unix(1e9, 0)
	m := upsmon.NewMonitor(c, func(context.Context, string, string) {}, func() time.Time { return now })
	ctx := context.Background()
	m.Observe(ctx, m.UPS[0], "OB LB", nil)
	m.Observe(ctx, m.UPS[1], "OL", nil)
	if down, _ := m.ShutdownNeeded(); down {
		t.Error("one healthy UPS of power 1 satisfies MINSUPPLIES 1")
	}
	m.Observe(ctx, m.UPS[1], "OB LB", nil)
	down, why := m.ShutdownNeeded()
	if !down || !strings.Contains(why, "a@h: on battery and low") || !strings.Contains(why, "b@h") {
		t.Errorf("both critical: %v %q", down, why)
	}
}

func TestMessages(t *testing.T) {
	t.Parallel()
	n := &upsmon.Notifier{Conf: conf(t, primary+"NOTIFYMSG ONBATT \"power lost on %s!\"\n")}
	if got := n.Message("ONBATT", "ups@localhost"); got != "power lost on ups@localhost!" {
		t.Errorf("NOTIFYMSG: %q", got)
	}
	if got := n.Message("LOWBATT", "ups@localhost"); got != "UPS ups@localhost battery is low" {
		t.Errorf("default: %q", got)
	}
	if got := n.Message("SHUTDOWN", ""); got != "Auto logout and shutdown proceeding" {
		t.Errorf("SHUTDOWN: %q", got)
	}
	for _, typ := range config.NotifyTypes {
		if _, ok := upsmon.DefaultMessages[typ]; !ok {
			t.Errorf("no default message for %s", typ)
		}
		if len(upsmon.MessageID(typ)) != 32 {
			t.Errorf("MESSAGE_ID of %s is not 128 bits", typ)
		}
	}
	if upsmon.MessageID("ONBATT") == upsmon.MessageID("ONLINE") {
		t.Error("MESSAGE_IDs collide")
	}
}

// TestTestNotificationsMarked: upsmon -test-notify's notifications say
// they are tests, in the text of every channel and as a journal field.
func TestTestNotificationsMarked(t *testing.T) {
	t.Parallel()
	var logs testlog.Buffer
	var walls []string
	c := conf(t, primary)
	n := &upsmon.Notifier{Conf: c, Log: slog.New(slog.NewTextHandler(&logs, nil)), Test: true,
		Wall: func(_ context.Context, msg string) error { walls = append(walls, msg); return nil }}
	n.Notify(context.Background(), "ONBATT", "ups@localhost")
	n.Wait()
	if !strings.Contains(logs.String(), `msg="TEST: UPS ups@localhost on battery"`) || !strings.Contains(logs.String(), "test=1") {
		t.Errorf("journal entry not marked:\n%s", logs.String())
	}
	if len(walls) != 1 || walls[0] != "TEST: UPS ups@localhost on battery" {
		t.Errorf("wall %q", walls)
	}
}
