package upsd

import (
	"strconv"
	"testing"
	"time"
)

func TestAuthLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newAuthLimiter(2, 10*time.Second, func() time.Time { return now })
	steps := []struct {
		advance     time.Duration
		fail        bool // record a failure after asking
		ok, firstNo bool
	}{
		{0, true, true, false},
		{0, true, true, false},
		{0, false, false, true}, // burst used up: limited, first refusal
		{5 * time.Second, false, false, false},
		{5 * time.Second, true, true, false}, // one token back after 10 s
		{0, false, false, true},              // a new lockout is logged again
		{20 * time.Second, false, true, false},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		ok, first := l.allow("192.0.2.1")
		if ok != s.ok || first != s.firstNo {
			t.Fatalf("step %d: allow = %v, first = %v; want %v, %v", i, ok, first, s.ok, s.firstNo)
		}
		if s.fail {
			l.fail("192.0.2.1")
		}
	}
	if ok, _ := l.allow("192.0.2.2"); !ok {
		t.Error("another address was limited")
	}
}

func TestAuthLimiterMemoryBounded(t *testing.T) {
	now := time.Unix(0, 0)
	l := newAuthLimiter(5, time.Second, func() time.Time { return now })
	for _, step := range []time.Duration{time.Millisecond, 0} { // spread out, then all at once
		for i := 0; i < 3*maxTracked; i++ {
			now = now.Add(step)
			l.fail("addr-" + strconv.Itoa(i))
		}
		if n := len(l.addrs); n > maxTracked {
			t.Errorf("step %v: %d addresses tracked, bound is %d", step, n, maxTracked)
		}
	}
}
