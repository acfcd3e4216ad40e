package upsd

import (
	"runtime/debug"
	"sync"
	"time"
)

// reclaimer gives memory back to the system after a crowd of clients has
// gone: an attack, or a flood of idle connections. Go's runtime returns
// freed memory only slowly, so without it upsd would stay at its peak
// size for minutes after the crowd left. It acts when the number of open
// connections falls below a quarter of a recent peak of at least
// reclaimFloor, at most once per reclaimEvery (a drop that comes sooner is
// handled when that time is up), and never in the hot path: the
// collection runs on a goroutine of its own.
type reclaimer struct {
	mu      sync.Mutex
	peak    int
	last    time.Time
	busy    bool   // a collection is running or scheduled
	free    func() // debug.FreeOSMemory; a counter in tests
	now     func() time.Time
	afterFn func(time.Duration, func()) // time.AfterFunc; immediate in tests
}

// Thresholds of the reclaimer.
const (
	reclaimFloor = 16
	reclaimEvery = 10 * time.Second
)

func newReclaimer() *reclaimer {
	return &reclaimer{free: debug.FreeOSMemory, now: time.Now,
		afterFn: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// seen is called with the number of open connections after each change.
func (r *reclaimer) seen(open int) {
	r.mu.Lock()
	r.peak = max(r.peak, open)
	if r.peak < reclaimFloor || open*4 > r.peak || r.busy {
		r.mu.Unlock()
		return
	}
	r.peak, r.busy = open, true
	wait := max(r.last.Add(reclaimEvery).Sub(r.now()), 0)
	r.mu.Unlock()
	r.afterFn(wait, func() {
		r.free()
		r.mu.Lock()
		r.last, r.busy = r.now(), false
		r.mu.Unlock()
	})
}
