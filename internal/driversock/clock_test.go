package driversock

import (
	"strings"
	"testing"
	"time"
)

// The link's clock must measure intervals on the monotonic clock, both
// with Sub and with the Unix nanoseconds kept in atomics: readings carry
// a monotonic reading, never go back, and agree with each other.
func TestMonotonicClock(t *testing.T) {
	now := monotonicClock()
	prev := now()
	if !strings.Contains(prev.String(), " m=+") {
		t.Fatalf("%v carries no monotonic reading", prev)
	}
	for range 1000 {
		cur := now()
		d := cur.Sub(prev)
		if d < 0 {
			t.Fatalf("the clock went back by %v", -d)
		}
		if ns := cur.UnixNano() - prev.UnixNano(); ns != int64(d) {
			t.Fatalf("UnixNano moved %d ns where Sub says %v", ns, d)
		}
		prev = cur
	}
	time.Sleep(2 * time.Millisecond)
	if d := now().Sub(prev); d < 2*time.Millisecond {
		t.Fatalf("2 ms of sleep measured as %v", d)
	}
}
