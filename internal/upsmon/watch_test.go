package upsmon_test

import (
	"bufio"
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

// hourly returns a Runner for c that polls as c says (the tests below
// give it an hour), so that only a pushed change can make it act.
func hourly(t *testing.T, c *config.UpsmonConf, p upsmon.Power, logs *testlog.Buffer) *upsmon.Runner {
	log := slog.New(slog.NewTextHandler(logs, nil))
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, p, log, filepath.Join(t.TempDir(), "killpower"))
	r.BootID = func() (string, error) { return "this-boot", nil }
	return r
}

// TestPushedPowerFailure: with POLLFREQ an hour, a primary and a
// secondary on another connection both shut down when the UPS goes on
// battery and low: the change and then the primary's FSD reach them
// through WATCH. Without it they would act an hour later.
func TestPushedPowerFailure(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	host, port, _ := net.SplitHostPort(rig.Addr)
	const slow = "POLLFREQ 3600\nPOLLFREQALERT 3600\nFINALDELAY 0\nHOSTSYNC 20\nDEADTIME 10800\n"
	var plogs, slogs testlog.Buffer
	ppower, spower := &testrig.Power{}, &testrig.Power{}
	primary := hourly(t, conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\n", host, port)+slow), ppower, &plogs)
	secondary := hourly(t, conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 sec pass secondary\n", host, port)+slow), spower, &slogs)
	pdone, sdone := make(chan error, 1), make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { pdone <- primary.Run(ctx) }()
	go func() { sdone <- secondary.Run(ctx) }()
	for _, l := range []*testlog.Buffer{&plogs, &slogs} {
		waitFor(t, "WATCH to be accepted", func() bool { return strings.Contains(l.String(), "upsd pushes status changes") })
	}

	rig.SetStatus("OB LB")
	for name, done := range map[string]chan error{"primary": pdone, "secondary": sdone} {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("the %s did not act on the pushed change\nprimary:\n%s\nsecondary:\n%s", name, plogs.String(), slogs.String())
		}
	}
	if ppower.Calls() != 1 || spower.Calls() != 1 {
		t.Errorf("power-offs: primary %d, secondary %d", ppower.Calls(), spower.Calls())
	}
	if !strings.Contains(slogs.String(), "forced shutdown (FSD) is set") {
		t.Errorf("the secondary did not act on the primary's FSD\n%s", slogs.String())
	}
}

// TestWatchComesBack: when upsd restarts, the WATCH connection's loss
// makes the monitor poll at once (POLLFREQ is an hour): it logs in again
// and watches again.
func TestWatchComesBack(t *testing.T) {
	t.Parallel()
	var ulogs testlog.Buffer
	rig := testrig.Start(t, testrig.Options{Log: slog.New(slog.NewTextHandler(&ulogs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	host, port, _ := net.SplitHostPort(rig.Addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 3600\nPOLLFREQALERT 3600\nFINALDELAY 0\n", host, port))
	var logs testlog.Buffer
	power := &testrig.Power{}
	r := hourly(t, c, power, &logs)
	stop := background(r)
	defer stop()
	waitFor(t, "WATCH", func() bool { return strings.Count(logs.String(), "upsd pushes status changes") == 1 })
	rig.StopServer()
	rig.StartServer()
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
			t.Log(ulogs.String())
		}
	}()
	waitFor(t, "WATCH again", func() bool { return strings.Count(logs.String(), "upsd pushes status changes") == 2 })
	if strings.Contains(logs.String(), "does not push") {
		t.Errorf("the monitor gave up on WATCH\n%s", logs.String())
	}
}

// TestNoWatchFallsBackToPolling: a server that answers WATCH with
// UNKNOWN-COMMAND, as NUT's upsd does, is polled, and the monitor says so
// once.
func TestNoWatchFallsBackToPolling(t *testing.T) {
	t.Parallel()
	logs := pollThrough(t, "ERR UNKNOWN-COMMAND\n")
	if n := strings.Count(logs, "upsd does not push status changes"); n != 1 {
		t.Errorf("said %d times that WATCH is unknown\n%s", n, logs)
	}
}

// TestSilentWatchDoesNotHold: a server that accepts WATCH and then sends
// nothing (sysnut's upsd while a driver's dump is under way) never holds
// the monitor up: its polls go on and decide.
func TestSilentWatchDoesNotHold(t *testing.T) {
	t.Parallel()
	logs := pollThrough(t, "OK WATCHING\n")
	if !strings.Contains(logs, "upsd pushes status changes") {
		t.Errorf("WATCH was not taken\n%s", logs)
	}
}

// pollThrough runs a fast-polling primary against a NUT-like server that
// answers WATCH with watchReply, fails the power by poll, and returns the
// monitor's log once it has powered off (once).
func pollThrough(t *testing.T, watchReply string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	status := make(chan string, 1)
	status <- "OL"
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go nutLike(nc, status, watchReply)
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nFINALDELAY 0\n", host, port))
	var logs testlog.Buffer
	power := &testrig.Power{}
	r := fastRunner(t, c, power, &logs)
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	time.Sleep(300 * time.Millisecond)
	<-status
	status <- "OB LB"
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("no shutdown by polling\n%s", logs.String())
	}
	if power.Calls() != 1 {
		t.Errorf("%d power-offs\n%s", power.Calls(), logs.String())
	}
	return logs.String()
}

// nutLike answers a monitor as NUT's upsd 2.8.0 does, and WATCH with
// watchReply.
func nutLike(nc net.Conn, status chan string, watchReply string) {
	defer nc.Close()
	r := bufio.NewReader(nc)
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(l)
		switch {
		case len(f) == 0:
		case f[0] == "GET":
			s := <-status
			status <- s
			fmt.Fprintf(nc, "VAR ups ups.status %q\n", s)
		case f[0] == "LOGOUT":
			fmt.Fprintf(nc, "OK Goodbye\n")
			return
		case f[0] == "STARTTLS":
			fmt.Fprintf(nc, "ERR FEATURE-NOT-CONFIGURED\n")
		case f[0] == "WATCH":
			fmt.Fprint(nc, watchReply)
		case f[0] == "PRIMARY":
			fmt.Fprintf(nc, "OK PRIMARY-GRANTED\n")
		case f[0] == "FSD":
			fmt.Fprintf(nc, "OK FSD-SET\n")
		default:
			fmt.Fprintf(nc, "OK\n")
		}
	}
}
