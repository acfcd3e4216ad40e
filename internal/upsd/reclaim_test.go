package upsd

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestReclaimer: memory is handed back once a crowd of connections has
// mostly gone, not for a few clients coming and going, and not more than
// once per reclaimEvery: a second crowd leaving sooner is handled when
// that time is up.
func TestReclaimer(t *testing.T) {
	now := time.Unix(1e6, 0)
	var freed atomic.Int32
	var due []time.Duration
	r := &reclaimer{free: func() { freed.Add(1) }, now: func() time.Time { return now },
		afterFn: func(d time.Duration, f func()) { due = append(due, d); f() }}
	wait := func(want int32) {
		t.Helper()
		if got := freed.Load(); got != want {
			t.Fatalf("memory handed back %d times, want %d", got, want)
		}
	}
	for _, n := range []int{1, 5, 10, 2, 0} { // a few clients: nothing
		r.seen(n)
	}
	wait(0)
	for n := 1; n <= 40; n++ { // a crowd arrives...
		r.seen(n)
	}
	for n := 39; n >= 10; n-- { // ...and leaves: at 10 of 40, once
		r.seen(n)
	}
	wait(1)
	for n := 10; n <= 40; n++ {
		r.seen(n)
	}
	now = now.Add(time.Second)
	r.seen(2) // again within reclaimEvery: deferred to its end
	wait(2)
	if len(due) != 2 || due[0] != 0 || due[1] != reclaimEvery-time.Second {
		t.Errorf("collections due after %v, want [0s %v]", due, reclaimEvery-time.Second)
	}
}
