package upsd

import (
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// authLimiter slows password guessing down without ever refusing a right
// password. Every password check waits for a turn: each source (an IPv4
// address, an IPv6 /64, or the whole loopback range, since a local process
// can use any 127.x address) and the server as a whole have a budget of
// failures, a token bucket. A check takes a token from both; a right
// password gives them back. When a bucket is empty, the check is not
// refused but waits until a token is due, in the order checks arrived.
// Whether a check waits depends only on earlier failures, never on the
// password being checked, so the wait tells a guesser nothing.
//
// A guesser gets Burst checks at once and then one per Interval per
// source, and the whole server at most one per GlobalInterval. Each guess
// needs a connection of its own (a connection repeating a password that
// already failed is answered without a check), so a right password waits
// at most as long as the guesses of that source already waiting.
type authLimiter struct {
	source, global bucketSpec
	now            func() time.Time
	log            *slog.Logger
	window         time.Duration // summaryWindow; shorter in tests

	mu      sync.Mutex
	sources map[netip.Prefix]*authSource
	all     bucket
	timers  map[*authSource]*time.Timer // pending failure summaries
	closed  bool
}

// bucketSpec is a token bucket's size and refill period.
type bucketSpec struct {
	burst    float64
	interval time.Duration
}

// bucket is a token bucket whose tokens may go negative: the debt is the
// queue of checks waiting for a turn.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills b, takes one token and returns how long the taker must wait
// for it.
func (b *bucket) take(s bucketSpec, now time.Time) time.Duration {
	b.refill(s, now)
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens * float64(s.interval))
}

// give returns a token (a check that succeeded).
func (b *bucket) give(s bucketSpec, now time.Time) {
	b.refill(s, now)
	b.tokens = min(s.burst, b.tokens+1)
}

func (b *bucket) refill(s bucketSpec, now time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = s.burst, now
		return
	}
	if now.After(b.last) {
		b.tokens = min(s.burst, b.tokens+float64(now.Sub(b.last))/float64(s.interval))
		b.last = now
	}
}

// authSource is what is kept of one source: its bucket and the failures
// logged or counted in the current summary window.
type authSource struct {
	bucket
	windowEnd  time.Time // failures until then are counted, not logged
	suppressed int
	users      []string
}

// summaryWindow is how long failures of a source are counted after one is
// logged, before one line sums them up.
const summaryWindow = time.Minute

// maxTracked bounds the limiter's memory under a flood of sources;
// beyond it, sources with a full allowance and nothing to report go.
const maxTracked = 4096

func newAuthLimiter(source, global bucketSpec, now func() time.Time, log *slog.Logger) *authLimiter {
	return &authLimiter{source: source, global: global, now: now, log: log, window: summaryWindow,
		sources: map[netip.Prefix]*authSource{}, timers: map[*authSource]*time.Timer{}}
}

// sourceOf maps a client address to the source its failures count
// against: the loopback range is one source, an IPv6 address counts as
// its /64 (what one host or one customer usually gets), IPv4 as itself.
func sourceOf(addr string) netip.Prefix {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Prefix{} // not an IP (a Unix socket): one source
	}
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return netip.MustParsePrefix("127.0.0.0/8")
	case ip.Is6():
		p, _ := ip.Prefix(64)
		return p
	}
	return netip.PrefixFrom(ip, 32)
}

// reserve takes a turn for one password check from addr and returns how
// long to wait before checking.
func (l *authLimiter) reserve(addr string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	src := l.lookup(sourceOf(addr), now)
	return max(src.take(l.source, now), l.all.take(l.global, now))
}

// succeeded gives back the turn of a check that found the right password.
func (l *authLimiter) succeeded(addr string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lookup(sourceOf(addr), now).give(l.source, now)
	l.all.give(l.global, now)
}

// failed records a wrong password from addr for user: the first of a
// window is logged at once, the others are counted and summed up in one
// line when the window ends, so a guess storm writes two lines a minute.
func (l *authLimiter) failed(addr, user string) {
	now := l.now()
	p := sourceOf(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	src := l.lookup(p, now)
	if now.Before(src.windowEnd) {
		src.suppressed++
		if !slices.Contains(src.users, user) && len(src.users) < 8 {
			src.users = append(src.users, user)
		}
		return
	}
	if t := l.timers[src]; t != nil && t.Stop() {
		l.summariseLocked(p, src) // the last window's timer had not run yet
	}
	src.windowEnd = now.Add(l.window)
	l.log.Warn(fmt.Sprintf("authentication failed for user %q from %s", user, addr), "client", addr, "user", user)
	if l.closed {
		return
	}
	l.timers[src] = time.AfterFunc(l.window, func() { l.summarise(p, src) })
}

// summarise logs how many failures of a source went unlogged in its window.
func (l *authLimiter) summarise(p netip.Prefix, src *authSource) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.summariseLocked(p, src)
}

// summariseLocked is summarise with l.mu held.
func (l *authLimiter) summariseLocked(p netip.Prefix, src *authSource) {
	delete(l.timers, src)
	if src.suppressed > 0 {
		source := p.String()
		if !p.IsValid() {
			source = "local socket"
		}
		l.log.Warn(fmt.Sprintf("%d more authentication failures from %s in %s", src.suppressed, source, l.window),
			"source", source, "count", src.suppressed, "users", src.users, "window", l.window.String())
	}
	src.suppressed, src.users = 0, nil
}

// close stops the pending summaries; their counts are logged now.
func (l *authLimiter) close() {
	l.mu.Lock()
	l.closed = true
	timers := l.timers
	l.timers = map[*authSource]*time.Timer{}
	l.mu.Unlock()
	for _, t := range timers {
		t.Stop()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for p, src := range l.sources {
		if src.suppressed > 0 {
			l.log.Warn(fmt.Sprintf("%d more authentication failures from %s", src.suppressed, p), "source", p.String(), "count", src.suppressed, "users", src.users)
			src.suppressed = 0
		}
	}
}

// lookup returns the record of source p, creating it; l.mu is held.
func (l *authLimiter) lookup(p netip.Prefix, now time.Time) *authSource {
	src := l.sources[p]
	if src == nil {
		if len(l.sources) >= maxTracked {
			l.prune(now)
		}
		src = &authSource{}
		l.sources[p] = src
	}
	return src
}

// prune forgets sources back to a full allowance with nothing to report
// and, if that is not enough, arbitrary ones: the global bucket still
// bounds whoever floods from thousands of sources. l.mu is held.
func (l *authLimiter) prune(now time.Time) {
	for p, src := range l.sources {
		if src.refill(l.source, now); src.tokens >= l.source.burst && src.suppressed == 0 {
			delete(l.sources, p)
		}
	}
	for p := range l.sources {
		if len(l.sources) < maxTracked*3/4 {
			break
		}
		delete(l.sources, p) // a pending summary keeps its own pointer
	}
}
