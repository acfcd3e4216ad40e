package upsmon_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/upsd"
	"github.com/sysnut/sysnut/internal/upsmon"
)

type nop struct{}

func (nop) SetVar(string, string) int  { return driversock.StatusHandled }
func (nop) InstCmd(string, string) int { return driversock.StatusHandled }

type fakePower struct {
	mu     sync.Mutex
	calls  int
	refuse int // refuse this many calls first
}

func (p *fakePower) PowerOff(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.calls <= p.refuse {
		return errors.New("interactive authentication required")
	}
	return nil
}

type recorder struct {
	mu    sync.Mutex
	notes []string
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, string(p))
	return len(p), nil
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.notes, "")
}

// server runs our upsd over a publisher that the test drives.
func server(t *testing.T) (*driversock.Publisher, string) {
	t.Helper()
	return serverWith(t, nil)
}

// serverWith is server with a TLS configuration for STARTTLS.
func serverWith(t *testing.T, tlsConf *tls.Config) (*driversock.Publisher, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sock := filepath.Join(t.TempDir(), "dummy-ups-ups")
	pub := driversock.NewPublisher(nop{}, nil)
	pub.Update(func(u *driversock.Updater) { u.Set("ups.status", "OL") })
	pub.DataOK()
	dl, err := driversock.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	users, _ := config.ParseUsers("upsd.users", []byte("[mon]\npassword = pass\nupsmon primary\n[sec]\npassword = pass\nupsmon secondary\n"))
	srv := upsd.New(upsd.Config{UPS: []upsd.UPSDef{{Name: "ups", Socket: sock}}, Users: users, TLS: tlsConf}, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pub.Serve(ctx, dl) }()
	go func() { defer wg.Done(); srv.Run(ctx, []net.Listener{l}) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return pub, l.Addr().String()
}

// TestPrimaryShutdownSequence: mains fails, the battery runs low; the
// primary sets FSD, waits until the secondary has logged out, announces,
// sets the killpower flag and asks for the power-off until it is granted.
func TestPrimaryShutdownSequence(t *testing.T) {
	t.Parallel()
	pub, addr := server(t)
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

	var logs recorder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	power := &fakePower{refuse: 2}
	flag := filepath.Join(t.TempDir(), "killpower")
	n := &upsmon.Notifier{Conf: c, Log: log}
	m := upsmon.NewMonitor(c, n.Notify, time.Now)
	r := &upsmon.Runner{Monitor: m, Notifier: n, Power: power, Log: log, Flag: flag,
		Sleep: func(ctx context.Context, d time.Duration) error {
			return upsmon.Sleep(ctx, min(d, 300*time.Millisecond)) // keep the test short
		}}
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()

	time.Sleep(300 * time.Millisecond)
	pub.Update(func(u *driversock.Updater) { u.Set("ups.status", "OB") })
	time.Sleep(300 * time.Millisecond)
	pub.Update(func(u *driversock.Updater) { u.Set("ups.status", "OB LB") })

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
	if !upsmon.FlagSet(flag) {
		t.Error("killpower flag not set")
	}
	if power.calls != 3 {
		t.Errorf("PowerOff called %d times, want 3 (two refusals)", power.calls)
	}
	if strings.Index(out, "notifytype=SHUTDOWN ") < strings.Index(out, "notifytype=SHUTDOWN_HOSTSYNC") {
		t.Error("SHUTDOWN announced before waiting for the secondary")
	}
}

func TestDryRunDoesNotPowerOff(t *testing.T) {
	t.Parallel()
	pub, addr := server(t)
	host, port, _ := net.SplitHostPort(addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nFINALDELAY 0\n", host, port))
	pub.Update(func(u *driversock.Updater) { u.Set("ups.status", "OB LB") })
	var logs recorder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	power := &fakePower{}
	n := &upsmon.Notifier{Conf: c, Log: log}
	r := &upsmon.Runner{Monitor: upsmon.NewMonitor(c, n.Notify, time.Now), Notifier: n, Power: power, Log: log,
		Flag: filepath.Join(t.TempDir(), "killpower"), DryRun: true, Sleep: upsmon.Sleep}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if power.calls != 0 || !strings.Contains(logs.String(), "dry run") {
		t.Errorf("dry run: %d power-offs\n%s", power.calls, logs.String())
	}
}
