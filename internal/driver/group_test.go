package driver_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/testlog"
)

// groupConf is ups.conf for the group tests: two good sections and one
// with a key dummy-ups does not know.
const groupConf = `[a]
 driver = dummy-ups
 port = a.dev
[b]
 driver = dummy-ups
 port = b.dev
[bad]
 driver = dummy-ups
 port = c.dev
 nosuchkey = 1
`

// groupSpecs builds a Spec per name over ups.conf text, each UPS's
// device being devs[name].
func groupSpecs(t *testing.T, conf string, devs map[string]driver.Protocol, names ...string) []driver.Spec {
	t.Helper()
	uc, err := config.ParseUPSConf("ups.conf", []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	var specs []driver.Spec
	for _, n := range names {
		dev := devs[n]
		if dev == nil {
			dev = &flaky{}
		}
		specs = append(specs, driver.Spec{ConfDir: t.TempDir(), UPSConf: uc, Name: n, Version: "1", Log: slog.New(&testlog.Records{}),
			Protocol: func(driver.Params) (driver.Protocol, error) { return dev, nil }})
	}
	return specs
}

// dump reads a driver socket's DUMPALL answer.
func dump(t *testing.T, sock string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("DUMPALL\n")); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	sc := bufio.NewScanner(c)
	for sc.Scan() && sc.Text() != "DUMPDONE" {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}

// TestGroupServesEachUPS: one process, a socket per UPS with that UPS's
// data; a section ups.conf refuses is left out, named in the status,
// and does not hold back READY=1.
func TestGroupServesEachUPS(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("NUT_STATEPATH", dir)
	var sent []string
	notify := make(chan string, 100)
	specs := groupSpecs(t, groupConf, nil, "a", "b", "bad")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- driver.ServeGroup(ctx, specs, func(s string) { notify <- s }) }()
	deadline := time.After(5 * time.Second)
	for len(sent) == 0 || !strings.Contains(sent[len(sent)-1], "a: ups.status OL; b: ups.status OL; bad: not started") {
		select {
		case s := <-notify:
			sent = append(sent, s)
		case <-deadline:
			t.Fatalf("notifications %q", sent)
		}
	}
	ready := 0
	for i, s := range sent {
		if strings.Contains(s, "READY=1") {
			ready++
			if !strings.Contains(s, "bad: not started") {
				t.Errorf("READY=1 before the refused section was counted: %q", sent[:i+1])
			}
		}
	}
	if ready != 1 {
		t.Errorf("READY=1 sent %d times: %q", ready, sent)
	}
	// The last message may carry READY=1 too, when the refusal was the
	// last UPS to be accounted for.
	last := strings.TrimPrefix(sent[len(sent)-1], "READY=1\n")
	if !strings.HasPrefix(last, "STATUS=3 UPSes; a: ups.status OL; b: ups.status OL; bad: not started: ") || !strings.Contains(last, "nosuchkey") {
		t.Errorf("last status %q", last)
	}
	for _, n := range []string{"a", "b"} {
		if d := dump(t, filepath.Join(dir, "dummy-ups-"+n)); !strings.Contains(d, `SETINFO ups.mfr "Flaky"`) || !strings.Contains(d, `SETINFO ups.status "OL"`) {
			t.Errorf("%s's socket: %s", n, d)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeGroup returned %v on cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeGroup did not stop when its context ended")
	}
}

// TestGroupAllRefused: a group of refused sections is a configuration
// error (the unit does not restart it).
func TestGroupAllRefused(t *testing.T) {
	t.Setenv("NUT_STATEPATH", t.TempDir())
	err := driver.ServeGroup(context.Background(), groupSpecs(t, groupConf, nil, "bad"), func(string) {})
	var ce *driver.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "nosuchkey") {
		t.Errorf("err = %v, want a ConfigError naming the key", err)
	}
}

// TestGroupWatchdogWaitsForEveryUPS: the group feeds systemd's watchdog
// only while every UPS's loop checks in, so one device hung in a call
// gets the whole process restarted.
func TestGroupWatchdogWaitsForEveryUPS(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("NUT_STATEPATH", dir)
	conn := notifySocket(t, dir, "200000")
	// Its second poll, pollinterval (2 s) after the first.
	h := &hanging{at: 2, hung: make(chan struct{}), release: make(chan struct{})}
	specs := groupSpecs(t, groupConf, map[string]driver.Protocol{"b": h}, "a", "b")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		driver.ServeGroup(ctx, specs, nil)
	}()
	defer func() { cancel(); close(h.release); <-done }()
	var last string
	pings := func(until time.Time) int {
		n, l := watchdogPings(conn, until)
		if l != "" {
			last = l
		}
		return n
	}
	if n := pings(time.Now().Add(300 * time.Millisecond)); n == 0 {
		t.Fatal("no watchdog pings while both UPSes answer")
	}
	<-h.hung
	pings(time.Now().Add(200 * time.Millisecond)) // the last check-in ages
	if n := pings(time.Now().Add(500 * time.Millisecond)); n != 0 {
		t.Errorf("%d watchdog pings while b is stuck in its device: systemd would not restart the group", n)
	}
	if !strings.Contains(last, "b: hung") {
		t.Errorf("status %q does not name the hung UPS", last)
	}
}
