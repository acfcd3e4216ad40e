package upsmon_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// TestPrimaryShutdownSequence: mains fails, the battery runs low; the
// primary sets FSD, waits until the secondary has logged out, announces,
// sets the killpower flag and asks for the power-off until it is granted.
func TestPrimaryShutdownSequence(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	addr := rig.Addr
	host, port, _ := net.SplitHostPort(addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nHOSTSYNC 10\nFINALDELAY 0\n", host, port))

	// A secondary, logged in until it sees FSD.
	sec, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sec.Close()
	sr := bufio.NewReader(sec)
	fmt.Fprintf(sec, "USERNAME sec\nPASSWORD pass\nLOGIN ups\n")
	for i := 0; i < 3; i++ {
		if l, _ := sr.ReadString('\n'); l != "OK\n" {
			t.Fatalf("secondary login: %q", l)
		}
	}
	secondaryGone := make(chan time.Time)
	go func() {
		for {
			fmt.Fprintf(sec, "GET VAR ups ups.status\n")
			l, err := sr.ReadString('\n')
			if err != nil || strings.Contains(l, "FSD") {
				time.Sleep(300 * time.Millisecond) // a secondary takes a moment to go
				fmt.Fprintf(sec, "LOGOUT\n")
				secondaryGone <- time.Now()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()

	var logs testlog.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	power := &testrig.Power{Refuse: 2}
	flag := filepath.Join(t.TempDir(), "killpower")
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, power, log, flag)
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		return upsmon.Sleep(ctx, min(d, 300*time.Millisecond)) // keep the test short
	}
	r.BootID = func() (string, error) { return "this-boot", nil }
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()

	time.Sleep(300 * time.Millisecond)
	rig.SetStatus("OB")
	time.Sleep(300 * time.Millisecond)
	rig.SetStatus("OB LB")

	select {
	case <-secondaryGone:
	case <-time.After(10 * time.Second):
		t.Fatalf("the primary never set FSD\n%s", logs.String())
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{"notifytype=ONBATT", "notifytype=LOWBATT", "notifytype=SHUTDOWN_HOSTSYNC",
		"notifytype=SHUTDOWN", "POWER-OFF REFUSED", "power-off requested"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q\n%s", want, out)
		}
	}
	if !strings.Contains(out, "message_id="+upsmon.MessageID("ONBATT")) {
		t.Error("notifications carry no MESSAGE_ID")
	}
	if !upsmon.FlagSet(flag, "this-boot") {
		t.Error("killpower flag not set")
	}
	if n := power.Calls(); n != 3 {
		t.Errorf("PowerOff called %d times, want 3 (two refusals)", n)
	}
	if strings.Index(out, "notifytype=SHUTDOWN ") < strings.Index(out, "notifytype=SHUTDOWN_HOSTSYNC") {
		t.Error("SHUTDOWN announced before waiting for the secondary")
	}
}

func TestDryRunDoesNotPowerOff(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	addr := rig.Addr
	host, port, _ := net.SplitHostPort(addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nFINALDELAY 0\n", host, port))
	rig.SetStatus("OB LB")
	var logs testlog.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	power := &testrig.Power{}
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, power, log, filepath.Join(t.TempDir(), "killpower"))
	r.DryRun = true
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if power.Calls() != 0 || !strings.Contains(logs.String(), "dry run") {
		t.Errorf("dry run: %d power-offs\n%s", power.Calls(), logs.String())
	}
}

// stoppingPower is logind as the shutdown it starts is seen from upsmon:
// the stop (SIGTERM, the end of the runner's context) comes before the
// answer to PowerOff.
type stoppingPower struct {
	stop  context.CancelFunc
	calls atomic.Int32
}

func (p *stoppingPower) PowerOff(ctx context.Context) error {
	p.calls.Add(1)
	p.stop()
	select {
	case <-ctx.Done(): // a request given up: no answer read
		return ctx.Err()
	case <-time.After(50 * time.Millisecond):
		return nil
	}
}

// TestKillpowerFlagDespiteStop: when the power-off's own SIGTERM reaches
// upsmon before logind's answer, the request is still seen through and
// the killpower flag written, so that the shutdown hook tells the UPS to
// cut its output (the nspawn test lost it once this way).
func TestKillpowerFlagDespiteStop(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	host, port, _ := net.SplitHostPort(rig.Addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nFINALDELAY 0\n", host, port))
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	power := &stoppingPower{stop: cancel}
	flag := filepath.Join(t.TempDir(), "killpower")
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, power, log, flag)
	r.BootID = func() (string, error) { return "this-boot", nil }
	rig.SetStatus("OB LB")
	if err := r.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if power.calls.Load() != 1 {
		t.Errorf("%d power-off requests", power.calls.Load())
	}
	if !upsmon.FlagSet(flag, "this-boot") {
		t.Error("no killpower flag after an accepted power-off whose SIGTERM came first")
	}
}
