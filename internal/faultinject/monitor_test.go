package faultinject

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// watcher is an upsmon Runner monitoring a rig, in rehearsal mode.
type watcher struct {
	logs  *testlog.Buffer
	power *testrig.Power
	done  chan struct{} // closed when Run returns
	stop  context.CancelFunc
}

// watch starts a primary monitor of r with POLLFREQ 1 and the given extra
// upsmon.conf lines.
func watch(t *testing.T, r *testrig.Rig, extra string) *watcher {
	t.Helper()
	host, port, _ := net.SplitHostPort(r.Addr)
	conf, err := config.ParseUpsmonConf("upsmon.conf", []byte(fmt.Sprintf(
		"MONITOR %s@%s:%s 1 mon pass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nFINALDELAY 0\n%s", r.UPS, host, port, extra)))
	if err != nil {
		t.Fatal(err)
	}
	w := &watcher{logs: &testlog.Buffer{}, power: &testrig.Power{}, done: make(chan struct{})}
	log := slog.New(slog.NewTextHandler(w.logs, nil))
	run := upsmon.NewRunner(conf, &upsmon.Notifier{Conf: conf, Log: log}, w.power, log, filepath.Join(t.TempDir(), "killpower"))
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	go func() {
		defer close(w.done)
		if err := run.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("monitor failed", "err", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-w.done })
	return w
}

// waitLog waits until the monitor's log contains s.
func (w *watcher) waitLog(t *testing.T, s string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(w.logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %v\n%s", s, within, w.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// noShutdown fails if the monitor has started a shutdown.
func (w *watcher) noShutdown(t *testing.T) {
	t.Helper()
	select {
	case <-w.done:
		t.Fatalf("monitor stopped\n%s", w.logs.String())
	default:
	}
	if out := w.logs.String(); strings.Contains(out, "shutting down") || strings.Contains(out, "notifytype=SHUTDOWN") || w.power.Calls() > 0 {
		t.Fatalf("false shutdown\n%s", out)
	}
}

// TestDriverKilledAndRestarted: the driver dies (its socket closes) or
// hangs (its data goes stale) for longer than DEADTIME while mains is on.
// Clients see DRIVER-NOT-CONNECTED or DATA-STALE, the monitor reports
// COMMBAD and then COMMOK when the driver is back, and nothing shuts down.
func TestDriverKilledAndRestarted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, err      string
		break_, repair func(*testrig.Rig)
	}{
		{"killed", "ERR DRIVER-NOT-CONNECTED", (*testrig.Rig).StopDriver, (*testrig.Rig).StartDriver},
		{"hung", "ERR DATA-STALE",
			func(r *testrig.Rig) { r.Publisher.DataStale() }, func(r *testrig.Rig) { r.Publisher.DataOK() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testrig.Start(t, testrig.Options{})
			w := watch(t, r, "DEADTIME 2\n")
			w.waitLog(t, "logged in", 5*time.Second)
			tt.break_(r)
			deadline := time.Now().Add(3 * time.Second)
			for got := ""; got != tt.err+"\n"; got = testrig.Ask(t, r.Addr, "GET VAR ups ups.status") {
				if time.Now().After(deadline) {
					t.Fatalf("client sees %q, want %q", got, tt.err)
				}
				time.Sleep(20 * time.Millisecond)
			}
			w.waitLog(t, "notifytype=COMMBAD", 5*time.Second)
			time.Sleep(3 * time.Second) // beyond DEADTIME
			w.noShutdown(t)
			tt.repair(r)
			w.waitLog(t, "notifytype=COMMOK", 10*time.Second)
			if got := testrig.Ask(t, r.Addr, "GET VAR ups ups.status"); got != "VAR ups ups.status \"OL\"\n" {
				t.Errorf("after repair, client sees %q", got)
			}
			w.noShutdown(t)
		})
	}
}

// TestDriverDiesOnBattery: the same loss while the UPS is on battery is
// critical once DEADTIME has passed, as in NUT: the monitor shuts down,
// but not before DEADTIME.
func TestDriverDiesOnBattery(t *testing.T) {
	t.Parallel()
	r := testrig.Start(t, testrig.Options{})
	w := watch(t, r, "DEADTIME 3\n")
	r.SetStatus("OB")
	w.waitLog(t, "notifytype=ONBATT", 5*time.Second)
	r.StopDriver()
	lost := time.Now()
	select {
	case <-w.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("no shutdown after losing an on-battery UPS\n%s", w.logs.String())
	}
	// DEADTIME runs from the last good poll, up to POLLFREQ (1 s) before
	// the loss.
	if took := time.Since(lost); took < 2*time.Second {
		t.Errorf("shut down %v after the loss: before DEADTIME (3 s) since the last good poll", took)
	}
	if !strings.Contains(w.logs.String(), "on battery when contact was lost more than DEADTIME ago") || w.power.Calls() != 1 {
		t.Errorf("power-offs %d\n%s", w.power.Calls(), w.logs.String())
	}
}

// TestUpsdRestartedUnderSocketActivation: upsd stops and a new one starts
// on the same listening socket, as systemctl restart ups-server.service
// does. The monitor loses its session, logs in again to the new server,
// and does not shut down; a client that connected while no upsd ran waits
// in the socket's backlog and is answered by the new one.
func TestUpsdRestartedUnderSocketActivation(t *testing.T) {
	t.Parallel()
	r := testrig.Start(t, testrig.Options{})
	w := watch(t, r, "DEADTIME 2\n")
	w.waitLog(t, "logged in", 5*time.Second)
	r.StopServer()

	waiting, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatalf("socket closed while upsd was down: %v", err)
	}
	defer waiting.Close()
	fmt.Fprintf(waiting, "GET VAR ups ups.status\n")
	time.Sleep(3 * time.Second) // longer than DEADTIME, with mains on
	w.noShutdown(t)
	r.StartServer()

	waiting.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 128)
	// The new upsd reads the driver's dump before it answers anyone.
	if n, err := waiting.Read(buf); err != nil || string(buf[:n]) != "VAR ups ups.status \"OL\"\n" {
		t.Errorf("queued client: %q, %v", buf[:n], err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(w.logs.String(), "logged in") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the monitor never logged in to the new upsd\n%s", w.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := testrig.Ask(t, r.Addr, "GET NUMLOGINS ups"); got != "NUMLOGINS ups 1\n" {
		t.Errorf("new upsd: %q, want the monitor's one login", got)
	}
	w.noShutdown(t)
}
