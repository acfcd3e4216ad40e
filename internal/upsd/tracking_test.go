package upsd

import (
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
)

func TestTrackingExpiresOldestFirst(t *testing.T) {
	now := time.Unix(0, 0)
	tr := newTracking(10*time.Second, func() time.Time { return now })
	a := tr.add()
	now = now.Add(5 * time.Second)
	b := tr.add()
	tr.remove(b) // never reached the driver
	c := tr.add()
	tr.set(c, driversock.StatusHandled)
	if got := tr.get(a); got != "PENDING" {
		t.Errorf("a = %q", got)
	}
	now = now.Add(6 * time.Second) // a is 11 s old, c 6 s
	if got := tr.get(a); got != "ERR UNKNOWN" {
		t.Errorf("expired a = %q", got)
	}
	if got := tr.get(c); got != "SUCCESS" {
		t.Errorf("c = %q", got)
	}
	now = now.Add(5 * time.Second)
	tr.get(c)
	if len(tr.entries) != 0 || len(tr.order) != 0 {
		t.Errorf("left behind: %d entries, %d in order", len(tr.entries), len(tr.order))
	}
}

func TestTrackingBounded(t *testing.T) {
	now := time.Unix(0, 0)
	tr := newTracking(time.Hour, func() time.Time { return now })
	first := tr.add()
	for i := 0; i < maxTracking+10; i++ {
		tr.add()
	}
	if len(tr.entries) != maxTracking || len(tr.order) != maxTracking {
		t.Errorf("%d entries, %d in order; bound %d", len(tr.entries), len(tr.order), maxTracking)
	}
	if got := tr.get(first); got != "ERR UNKNOWN" {
		t.Errorf("the oldest id survived the bound: %q", got)
	}
}

// BenchmarkTrackingAdd adds ids with 60,000 outstanding, as a client
// flooding tracked commands makes upsd do: constant time per add.
func BenchmarkTrackingAdd(b *testing.B) {
	now := time.Unix(0, 0)
	tr := newTracking(time.Hour, func() time.Time { return now })
	for i := 0; i < 60000; i++ {
		tr.add()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.add()
	}
}
