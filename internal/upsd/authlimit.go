package upsd

import (
	"sync"
	"time"
)

// authLimiter slows password guessing per client address: an address may
// fail authentication Burst times, then once per Interval. While it is
// limited, passwords from it are not even compared, so guessing learns
// nothing. NUT has no such limit.
type authLimiter struct {
	burst    float64
	interval time.Duration
	now      func() time.Time

	mu    sync.Mutex
	addrs map[string]*authBucket
}

type authBucket struct {
	tokens  float64   // failures still allowed
	last    time.Time // when tokens was computed
	limited bool      // the lockout has been logged
}

// maxTracked bounds the limiter's memory under a flood of addresses;
// beyond it, addresses whose allowance has refilled are forgotten.
const maxTracked = 4096

func newAuthLimiter(burst int, interval time.Duration, now func() time.Time) *authLimiter {
	return &authLimiter{burst: float64(burst), interval: interval, now: now, addrs: map[string]*authBucket{}}
}

// refill brings b up to date; l.mu is held.
func (l *authLimiter) refill(b *authBucket, now time.Time) {
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.last))/float64(l.interval))
	b.last = now
}

// allow reports whether an attempt from addr may be checked. The first
// refusal of a lockout reports first, so that it is logged once.
func (l *authLimiter) allow(addr string) (ok, first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.addrs[addr]
	if b == nil {
		return true, false
	}
	l.refill(b, l.now())
	if b.tokens >= 1 {
		b.limited = false
		return true, false
	}
	first = !b.limited
	b.limited = true
	return false, first
}

// fail records a failed attempt from addr.
func (l *authLimiter) fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.addrs[addr]
	if b == nil {
		if len(l.addrs) >= maxTracked {
			l.prune(now)
		}
		b = &authBucket{tokens: l.burst, last: now}
		l.addrs[addr] = b
	}
	l.refill(b, now)
	b.tokens = max(0, b.tokens-1)
}

// prune forgets addresses that are back to a full allowance and, if that
// is not enough, arbitrary ones: whoever floods from thousands of
// addresses can guess from each of them anyway. l.mu is held.
func (l *authLimiter) prune(now time.Time) {
	for a, b := range l.addrs {
		if l.refill(b, now); b.tokens >= l.burst {
			delete(l.addrs, a)
		}
	}
	for a := range l.addrs {
		if len(l.addrs) < maxTracked*3/4 { // room for many more before the next prune
			break
		}
		delete(l.addrs, a)
	}
}
