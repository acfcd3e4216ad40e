package upsmon_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

type schedPower struct {
	testrig.Power
	mu    sync.Mutex
	calls []string
}

func (p *schedPower) ScheduleShutdown(_ context.Context, kind string, at time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, "schedule "+kind)
	return nil
}

func (p *schedPower) CancelScheduledShutdown(context.Context) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, "cancel")
	return true, nil
}

func (p *schedPower) seen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.calls, ",")
}

// TestScheduledShutdownCancelledByMains: with SCHEDULESHUTDOWN, a power
// failure schedules a power-off with logind and mains returning cancels it.
func TestScheduledShutdownCancelledByMains(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	addr := rig.Addr
	host, port, _ := net.SplitHostPort(addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nSCHEDULESHUTDOWN 120\n", host, port))
	log := slog.New(slog.DiscardHandler)
	p := &schedPower{}
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, p, log, filepath.Join(t.TempDir(), "kp"))
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		return upsmon.Sleep(ctx, 50*time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for p.seen() != want {
			if time.Now().After(deadline) {
				t.Fatalf("logind calls %q, want %q", p.seen(), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(200 * time.Millisecond)
	rig.SetStatus("OB")
	wait("schedule poweroff")
	rig.SetStatus("OL")
	wait("schedule poweroff,cancel")
	cancel()
	<-done
}

func TestNotifyCmd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	script := filepath.Join(dir, "notify.sh")
	os.WriteFile(script, []byte("#!/bin/sh\necho \"$NOTIFYTYPE|$UPSNAME|$1\" >> "+out+"\n"), 0o755)
	c := conf(t, primary+"NOTIFYCMD "+script+"\nNOTIFYFLAG ONBATT SYSLOG+EXEC\nNOTIFYFLAG ONLINE IGNORE\n")
	var walls []string
	n := &upsmon.Notifier{Conf: c, Log: slog.New(slog.DiscardHandler), Exec: upsmon.Exec,
		Wall: func(_ context.Context, msg string) error { walls = append(walls, msg); return nil }}
	ctx := context.Background()
	n.Notify(ctx, "ONBATT", "ups@localhost")
	n.Notify(ctx, "ONLINE", "ups@localhost")
	n.Notify(ctx, "LOWBATT", "ups@localhost") // default SYSLOG+WALL: no EXEC
	n.Wait()
	got, _ := os.ReadFile(out)
	if string(got) != "ONBATT|ups@localhost|UPS ups@localhost on battery\n" {
		t.Errorf("NOTIFYCMD got %q", got)
	}
	if len(walls) != 1 || walls[0] != "UPS ups@localhost battery is low" {
		t.Errorf("wall got %q", walls)
	}
}

// TestStateFile: the monitor publishes what it decided (on battery since
// when, the power-off scheduled for when) and takes it back when mains
// returns.
func TestStateFile(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	host, port, _ := net.SplitHostPort(rig.Addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nSCHEDULESHUTDOWN 120\n", host, port))
	log := slog.New(slog.DiscardHandler)
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, &schedPower{}, log, filepath.Join(t.TempDir(), "kp"))
	r.StateFile = filepath.Join(t.TempDir(), "state.json")
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		return upsmon.Sleep(ctx, 20*time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	read := func(ok func(upsmon.State) bool) upsmon.State {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			s, err := upsmon.ReadState(r.StateFile)
			if err == nil && len(s.UPS) == 1 && ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("state file: %+v, %v", s, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	s := read(func(s upsmon.State) bool { return s.UPS[0].Status == "OL" })
	if u := s.UPS[0]; !u.Reachable || !u.Primary || u.Power != 1 || u.System != "ups@"+rig.Addr || u.OnBatterySince != nil || s.ShutdownScheduledAt != nil {
		t.Fatalf("on line: %+v", s)
	}
	before := time.Now()
	rig.SetStatus("OB")
	s = read(func(s upsmon.State) bool { return s.UPS[0].OnBatterySince != nil })
	since := *s.UPS[0].OnBatterySince
	if since.Before(before.Add(-time.Second)) || since.After(time.Now()) || s.UPS[0].Status != "OB" {
		t.Errorf("on battery since %v (changed after %v): %+v", since, before, s)
	}
	if at := s.ShutdownScheduledAt; at == nil || at.Sub(since) < 119*time.Second || at.Sub(since) > 121*time.Second {
		t.Errorf("power-off scheduled at %v, on battery since %v", at, since)
	}
	rig.SetStatus("OL")
	read(func(s upsmon.State) bool {
		return s.UPS[0].Status == "OL" && s.UPS[0].OnBatterySince == nil && s.ShutdownScheduledAt == nil
	})
}
