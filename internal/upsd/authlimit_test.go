package upsd

import (
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testlog"
)

func TestSourceOf(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"127.0.0.1", "127.0.0.0/8"},
		{"127.45.6.7", "127.0.0.0/8"},
		{"::1", "127.0.0.0/8"},
		{"::ffff:127.0.0.9", "127.0.0.0/8"},
		{"192.0.2.7", "192.0.2.7/32"},
		{"::ffff:192.0.2.7", "192.0.2.7/32"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
	} {
		if got := sourceOf(tt.addr); got != netip.MustParsePrefix(tt.want) {
			t.Errorf("sourceOf(%s) = %v, want %s", tt.addr, got, tt.want)
		}
	}
}

// TestAuthLimiterWaits: on a fake clock, a source gets its burst of
// checks at once, then one per interval; a check is never refused, only
// given a later turn; a right password gives its turn back; other
// sources are not slowed down, and the global bucket bounds them all.
func TestAuthLimiterWaits(t *testing.T) {
	now := time.Unix(0, 0)
	l := newAuthLimiter(bucketSpec{2, time.Second}, bucketSpec{4, 100 * time.Millisecond},
		func() time.Time { return now }, slog.New(slog.DiscardHandler))
	steps := []struct {
		addr    string
		advance time.Duration
		ok      bool // the check finds the right password
		wait    time.Duration
	}{
		{"127.0.0.1", 0, false, 0},
		{"127.0.0.2", 0, false, 0},                      // rotating loopback addresses: one source
		{"127.0.0.3", 0, false, time.Second},            // burst used: next turn in 1 s
		{"127.0.0.4", 0, true, 2 * time.Second},         // a right password waits its turn too...
		{"127.0.0.1", 0, false, 2 * time.Second},        // ...and gives it back
		{"192.0.2.1", 0, false, 100 * time.Millisecond}, // another source: only the global bucket (now in debt)
		{"127.0.0.1", 5 * time.Second, false, 0},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if got := l.reserve(s.addr); got != s.wait {
			t.Errorf("step %d (%s): wait %v, want %v", i, s.addr, got, s.wait)
		}
		if s.ok {
			l.succeeded(s.addr)
		} else {
			l.failed(s.addr, "mon")
		}
	}
	l.close()
}

// TestAuthFailuresSummarised: a storm of failures from one source writes
// one line at its start and one summary with the count, not a line each.
func TestAuthFailuresSummarised(t *testing.T) {
	var logs testlog.Buffer
	l := newAuthLimiter(bucketSpec{5, time.Millisecond}, bucketSpec{5, time.Millisecond}, time.Now, slog.New(slog.NewTextHandler(&logs, nil)))
	l.window = 50 * time.Millisecond
	for i := range 1000 {
		l.failed("127.0.0."+strconv.Itoa(i%200+1), "user"+strconv.Itoa(i%3))
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "more authentication failures") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	l.close()
	out := logs.String()
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("%d lines for 1,000 failures, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "count=999") || !strings.Contains(out, "source=127.0.0.0/8") {
		t.Errorf("summary lacks the count or the source:\n%s", out)
	}
}

func TestAuthLimiterMemoryBounded(t *testing.T) {
	now := time.Unix(0, 0)
	l := newAuthLimiter(bucketSpec{5, time.Second}, bucketSpec{5, time.Second}, func() time.Time { return now }, slog.New(slog.DiscardHandler))
	defer l.close()
	for _, step := range []time.Duration{time.Millisecond, 0} { // spread out, then all at once
		for i := 0; i < 3*maxTracked; i++ {
			now = now.Add(step)
			addr := "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
			l.reserve(addr)
			l.failed(addr, "u")
		}
		if n := len(l.sources); n > maxTracked {
			t.Errorf("step %v: %d sources tracked, bound is %d", step, n, maxTracked)
		}
	}
}
