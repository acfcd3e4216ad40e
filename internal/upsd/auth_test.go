package upsd_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/upsd"
)

// TestFailedLoginsRateLimited: after AuthBurst wrong passwords from one
// address, even the right password is refused from it until the interval
// passes; a session that authenticated before keeps working; failures are
// logged with the address and user, never the password.
func TestFailedLoginsRateLimited(t *testing.T) {
	t.Parallel()
	var logs testlog.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	// Long enough that the four attempts below fit in it on a loaded machine.
	const interval = 1500 * time.Millisecond
	f := startLogged(t, 1, func(c *upsd.Config) { c.AuthBurst, c.AuthInterval = 3, interval }, log)

	monitor := dial(t, f.addr)
	for _, l := range []string{"USERNAME mon", "PASSWORD pass", "LOGIN test"} {
		if got := monitor.ask(t, l); got != "OK" {
			t.Fatalf("monitor %s: %q", l, got)
		}
	}
	login := func(password string) string {
		c := dial(t, f.addr)
		c.ask(t, "USERNAME mon")
		c.ask(t, "PASSWORD "+password)
		got := c.ask(t, "LOGIN test")
		c.c.Close()
		return got
	}
	for i := 0; i < 3; i++ {
		if got := login("guess-Xyzzy"); got != "ERR ACCESS-DENIED" {
			t.Fatalf("wrong password %d: %q", i, got)
		}
	}
	if got := login("pass"); got != "ERR ACCESS-DENIED" {
		t.Fatalf("right password during the lockout: %q", got)
	}
	if got := monitor.ask(t, "FSD test"); got != "OK FSD-SET" {
		t.Errorf("logged-in monitor during the lockout: FSD = %q", got)
	}
	time.Sleep(interval + 100*time.Millisecond)
	if got := login("pass"); got != "OK" {
		t.Errorf("right password after the interval: %q", got)
	}

	out := logs.String()
	if strings.Contains(out, "Xyzzy") || strings.Contains(out, "=pass") {
		t.Errorf("a password reached the log:\n%s", out)
	}
	if n := strings.Count(out, `msg="authentication failed" client=127.0.0.1 user=mon`); n != 3 {
		t.Errorf("%d failures logged with address and user, want 3:\n%s", n, out)
	}
	if n := strings.Count(out, `msg="authentication attempts rate-limited" client=127.0.0.1`); n != 1 {
		t.Errorf("lockout logged %d times, want once:\n%s", n, out)
	}
}

// TestPermissionDeniedLoggedOnce: a right password without the right gets
// ACCESS-DENIED, and one log line saying which right was missing.
func TestPermissionDeniedLoggedOnce(t *testing.T) {
	t.Parallel()
	var logs testlog.Buffer
	f := startLogged(t, 1, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	c := dial(t, f.addr)
	c.ask(t, "USERNAME mon")
	c.ask(t, "PASSWORD pass")
	if got := c.ask(t, `SET VAR test ups.status "OB"`); got != "ERR ACCESS-DENIED" {
		t.Fatalf("SET without the right: %q", got)
	}
	out := logs.String()
	if strings.Count(out, "permission denied: SET") != 1 || strings.Contains(out, "authentication failed") {
		t.Errorf("log:\n%s", out)
	}
}
