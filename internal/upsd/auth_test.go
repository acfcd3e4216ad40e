package upsd_test

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/upsd"
)

// guesser logs in with wrong passwords until stop, each guess on a new
// connection, from 127.0.0.1 or, rotating, from 127.0.x.y (every local
// process can use any of them), and returns how many it got answered.
func guesser(t *testing.T, addr string, stop <-chan struct{}, pause time.Duration, rotate bool) int {
	n := 0
	for i := 0; ; i++ {
		select {
		case <-stop:
			return n
		default:
		}
		var d net.Dialer
		if rotate {
			d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, byte(i>>8), byte(i%250+2))}
		}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			continue
		}
		fmt.Fprintf(c, "USERNAME mon\nPASSWORD guess-Xyzzy%d\nLOGIN test\n", i)
		r := bufio.NewReader(c)
		for range 3 {
			if l, err := r.ReadString('\n'); err == nil && l == "ERR ACCESS-DENIED\n" {
				n++
			}
		}
		c.Close()
		if pause > 0 {
			select {
			case <-stop:
				return n
			case <-time.After(pause):
			}
		}
	}
}

// TestGuessingThrottled: guessers on the monitor's own host, rotating
// through loopback addresses, are slowed to the source's budget (burst,
// then one per interval), while the monitor's right password is never
// refused and waits at most for the guesses already queued; a logged-in
// monitor is not slowed at all; the storm is logged in two lines, never
// with a password. (Before: 8,074 checked guesses a second by rotating
// addresses, and 31 of 39 right logins refused during slow guessing.)
func TestGuessingThrottled(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		guessers int
		pause    time.Duration
		rotate   bool
	}{
		{"storm from one address", 3, 0, false},
		{"storm from rotating addresses", 3, 0, true},
		{"slow guessing", 1, 300 * time.Millisecond, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs testlog.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			const burst, interval = 3, 100 * time.Millisecond
			f := startLogged(t, 1, func(c *upsd.Config) { c.AuthBurst, c.AuthInterval = burst, interval }, log)
			monitor := dial(t, f.addr)
			for _, l := range []string{"USERNAME mon", "PASSWORD pass", "LOGIN test"} {
				if got := monitor.ask(t, l); got != "OK" {
					t.Fatalf("monitor %s: %q", l, got)
				}
			}
			stop := make(chan struct{})
			counts := make(chan int, tt.guessers)
			start := time.Now()
			for range tt.guessers {
				go func() { counts <- guesser(t, f.addr, stop, tt.pause, tt.rotate) }()
			}
			var worst time.Duration
			refused := 0
			const logins = 15
			for range logins {
				time.Sleep(100 * time.Millisecond)
				c := dial(t, f.addr)
				c.ask(t, "USERNAME mon")
				c.ask(t, "PASSWORD pass")
				t0 := time.Now()
				if got := c.ask(t, "LOGIN test"); got != "OK" {
					refused++
				}
				worst = max(worst, time.Since(t0))
				c.c.Close()
				if got := monitor.ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
					t.Errorf("logged-in monitor during the guessing: %q", got)
				}
			}
			close(stop)
			guesses := 0
			for range tt.guessers {
				guesses += <-counts
			}
			elapsed := time.Since(start)
			// A right login gives its turn back, which one guess may then use.
			budget := burst + int(elapsed/interval) + logins + 1
			t.Logf("%d guesses checked in %v (%.1f/s; budget %d), right logins refused %d of %d, slowest %v",
				guesses, elapsed.Round(time.Millisecond), float64(guesses)/elapsed.Seconds(), budget, refused, logins, worst.Round(time.Millisecond))
			if refused > 0 {
				t.Errorf("%d right logins refused", refused)
			}
			if guesses > budget {
				t.Errorf("%d guesses checked, more than the budget %d", guesses, budget)
			}
			if out := logs.String(); strings.Contains(out, "Xyzzy") || strings.Contains(out, "=pass") {
				t.Errorf("a password reached the log:\n%s", out)
			}
			if n := strings.Count(logs.String(), "authentication failed"); n != 1 {
				t.Errorf("%d failure lines for %d guesses, want 1 (then a summary)", n, guesses)
			}
		})
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
	if strings.Count(out, "(user mon): SET") != 1 || strings.Contains(out, "authentication failed") {
		t.Errorf("log:\n%s", out)
	}
}
