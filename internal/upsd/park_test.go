package upsd_test

import (
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/upsd"
)

// TestParkedConnections: a client quiet for ParkAfter is parked (no
// goroutine) and answered at once when it speaks again, as often as it
// likes; a parked client still meets the idle timeout.
func TestParkedConnections(t *testing.T) {
	t.Parallel()
	f := start(t, 1, func(c *upsd.Config) {
		c.ParkAfter = 50 * time.Millisecond
		c.IdleTimeout = 1500 * time.Millisecond
	})
	c := dial(t, f.addr)
	c.login(t)
	waitParked := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for f.srv.NumParked() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d connections parked, want %d", f.srv.NumParked(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for i := range 5 {
		waitParked(1)
		if got := c.ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
			t.Fatalf("request %d after parking: %q", i, got)
		}
	}
	// A line split across a pause longer than ParkAfter: the client is
	// in the middle of a line, so it is not parked and the line completes.
	c.c.Write([]byte("GET VAR te"))
	time.Sleep(150 * time.Millisecond)
	c.c.Write([]byte("st ups.status\n"))
	if got := c.line(t); got != `VAR test ups.status "OL"` {
		t.Fatalf("line split across a pause: %q", got)
	}
	// Idle for longer than IdleTimeout while parked: closed.
	waitParked(1)
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("a parked connection outlived the idle timeout")
	}
	if n := f.srv.NumParked(); n != 0 {
		t.Errorf("%d still parked after the idle timeout", n)
	}
}
