package driversock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/rawsock"
	"github.com/sysnut/sysnut/internal/state"
)

// ErrNotConnected is returned by Send while the driver is unreachable.
var ErrNotConnected = errors.New("driver not connected")

// Availability is what upsd's "avail" check sees.
type Availability int

// Availability values, in the order upsd checks them.
const (
	Available Availability = iota
	NotConnected
	Stale
)

// Link is upsd's connection to one driver socket. Its state is read with
// View; Run keeps it connected until its context ends.
type Link struct {
	path       string
	maxAge     time.Duration
	retry      time.Duration
	log        *slog.Logger
	onTracking func(id string, status int)
	onChange   func()
	now        func() time.Time
	limits     Limits
	tick       time.Duration
	pinger     atomic.Pointer[pinger] // the connection's; nil while there is none
	overLogged bool                   // a limit was logged on this connection; l.mu

	mu        sync.RWMutex
	tree      *state.Tree
	conn      net.Conn
	dumpDone  bool
	dataOK    bool
	lastHeard time.Time
	lastPing  time.Time
	pingNow   bool          // the pinger is to send a PING at its next kick
	heard     chan struct{} // closed at the next word from the driver; nil if nobody waits
	lastRead  atomic.Int64  // Unix nanoseconds of the last read of the data, to the second
	heardAt   atomic.Int64  // lastHeard in Unix nanoseconds, for prod without the lock
	wmu       sync.Mutex    // serialises writes to conn
	seenKind  int           // what changed last reported (seenGone...)
	seenValue string

	settled    chan struct{} // closed by settle
	settleOnce sync.Once
}

// Settled is closed once the link has either mirrored the driver's first
// full dump or failed its first attempt to connect: upsd waits for it
// before answering clients, so that a restart is not seen as the driver
// going away.
func (l *Link) Settled() <-chan struct{} { return l.settled }

func (l *Link) settle() { l.settleOnce.Do(func() { close(l.settled) }) }

// LinkConfig configures a Link.
type LinkConfig struct {
	Path       string        // the driver's socket
	MaxAge     time.Duration // silence after which data is stale (NUT's MAXAGE)
	Retry      time.Duration // pause between connection attempts (default 2 s)
	Logger     *slog.Logger
	OnTracking func(id string, status int) // TRACKING replies from the driver
	// OnChange is called, without the link's lock held, after what a
	// client reads as ups.status may have changed: its value, the end of
	// a dump, DATAOK/DATASTALE, the driver going away. Staleness by MAXAGE
	// alone is not reported: it is a matter of time, not of an event.
	OnChange func()
	// Tick caps the pinger's sleep, for tests that move Now by hand; zero
	// in production, where it sleeps until a ping could be due.
	Tick   time.Duration
	Now    func() time.Time // clock, for tests
	Limits Limits           // zero: DefaultLimits
}

// NewLink returns an unconnected link.
func NewLink(c LinkConfig) *Link {
	l := &Link{path: c.Path, maxAge: c.MaxAge, retry: c.Retry, log: c.Logger,
		onTracking: c.OnTracking, onChange: c.OnChange, now: c.Now, limits: c.Limits, tick: c.Tick, tree: state.New(), settled: make(chan struct{})}
	if l.limits == (Limits{}) {
		l.limits = DefaultLimits
	}
	if l.maxAge <= 0 {
		l.maxAge = 15 * time.Second
	}
	if l.retry <= 0 {
		l.retry = 2 * time.Second
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.now == nil {
		l.now = monotonicClock()
	}
	return l
}

// monotonicClock returns a clock that reads only the monotonic clock,
// counted from when it was made: one reading where time.Now takes two,
// on every client's read of a UPS. The link only measures intervals
// between its own times, the Unix nanoseconds it keeps in atomics
// included, so these follow the monotonic clock too, and a stepped wall
// clock cannot make a driver look silent or a reader idle.
func monotonicClock() func() time.Time {
	epoch := time.Now()
	return func() time.Time { return epoch.Add(time.Since(epoch)) }
}

// Path is the socket this link connects to.
func (l *Link) Path() string { return l.path }

// View calls fn with the mirrored tree and the availability, under a read
// lock: fn must not keep the tree or call back into the link. While the
// dump that follows a connect is running, dumping is true.
func (l *Link) View(fn func(t *state.Tree, a Availability, dumping bool)) {
	l.peek(l.prod(), fn)
}

// Peek is View for upsd's own look at the data (a status push), which
// does not count as a client reading it: it neither pings nor waits.
func (l *Link) Peek(fn func(t *state.Tree, a Availability, dumping bool)) {
	l.peek(l.now(), fn)
}

// peek shows the data as it is at now.
func (l *Link) peek(now time.Time, fn func(t *state.Tree, a Availability, dumping bool)) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	fn(l.tree, l.availability(now), l.conn != nil && !l.dumpDone)
}

// Availability reports whether clients may read the data.
func (l *Link) Availability() Availability {
	now := l.prod()
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.availability(now)
}

// availability judges the data's age at now.
func (l *Link) availability(now time.Time) Availability {
	switch {
	case l.conn == nil:
		return NotConnected
	case l.dumpDone && !l.dataOK:
		return Stale
	case now.Sub(l.lastHeard) > l.maxAge:
		return Stale
	}
	return Available
}

// Send writes one line (without newline) to the driver.
func (l *Link) Send(line string) error {
	l.mu.RLock()
	c := l.conn
	l.mu.RUnlock()
	if c == nil {
		return ErrNotConnected
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	_, err := rawsock.WriteWithin(c, []byte(line+"\n"), 5*time.Second)
	return err
}

// Run connects to the driver, reads its updates and reconnects after every
// loss until ctx ends.
func (l *Link) Run(ctx context.Context) {
	var lastErr string
	for {
		c, err := (&net.Dialer{}).DialContext(ctx, "unix", l.path)
		if err == nil {
			lastErr = ""
			l.log.Info("connected to the driver at "+l.path, "socket", l.path)
			// PING and PONG ride on monitors' polls: raw reads and writes
			// keep them from waking the runtime's monitor thread.
			err = l.serve(ctx, rawsock.Wrap(c))
			if ctx.Err() != nil {
				return
			}
			l.log.Warn("lost driver connection", "socket", l.path, "err", err)
		} else if msg := err.Error(); msg != lastErr {
			// Say it once, not every two seconds: NUT floods syslog here.
			lastErr = msg
			l.log.Warn("cannot connect to driver", "socket", l.path, "err", err)
		}
		l.settle() // the first attempt is over, whatever its outcome
		select {
		case <-ctx.Done():
			return
		case <-time.After(l.retry):
		}
	}
}

// serve runs one connection: DUMPALL, then read until it fails.
func (l *Link) serve(ctx context.Context, c net.Conn) error {
	now := l.now()
	l.mu.Lock()
	l.tree = state.New()
	l.conn = c
	l.dumpDone, l.dataOK = false, true
	l.lastHeard, l.lastPing = now, now
	l.pingNow = false // the last connection's
	l.heardAt.Store(now.UnixNano())
	l.overLogged = false
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.conn = nil
		l.tree = state.New()
		if l.heard != nil {
			close(l.heard) // nothing more will come: stop waiting
			l.heard = nil
		}
		changed := l.changed()
		l.mu.Unlock()
		c.Close()
		if changed {
			l.onChange()
		}
	}()

	// The read below ends when the connection closes: at the end of ctx
	// too.
	defer context.AfterFunc(ctx, func() { c.Close() })()
	p := l.startPinger()
	defer p.stop()

	if err := l.Send("DUMPALL"); err != nil {
		return fmt.Errorf("send DUMPALL: %w", err)
	}
	lex := nutproto.NewLexer(nutproto.NetLimits)
	buf := make([]byte, linkReadSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			l.mu.Lock()
			l.lastHeard = l.now()
			l.heardAt.Store(l.lastHeard.UnixNano())
			if l.heard != nil {
				close(l.heard)
				l.heard = nil
			}
			for data := buf[:n]; len(data) > 0; {
				took, r := lex.FeedBytes(data)
				data = data[took:]
				switch r {
				case nutproto.Line:
					if lex.Truncated() {
						l.over("a line longer than NUT's limits (32 words of 512 characters): the excess was dropped")
					}
					l.handle(lex.Words())
				case nutproto.Failed:
					l.over("parse error: " + lex.Err().Error())
				}
			}
			changed := l.changed()
			l.mu.Unlock()
			if changed {
				l.onChange()
			}
		}
		if err != nil {
			return err
		}
	}
}

// linkReadSize is a link's read buffer, held while it waits: a driver's
// updates are a line or a few, and only the dump after a connect takes
// more than one read. At a thousand UPSes each kilobyte here is a
// megabyte of upsd's memory.
const linkReadSize = 1024

// pinger keeps NUT's rule for a quiet driver: one silent for MAXAGE/3 is
// sent a PING, so that it is stale only if it has really stopped. It does
// so while the data is being read (a read in the last idleAfter), on a
// timer that sleeps until a ping could be due; when nobody reads, it does
// not wake at all, and prod takes over when reads resume. It is a timer
// (time.AfterFunc), not a goroutine that waits on one: a UPS costs upsd
// the goroutine that reads its driver and nothing more, which at a
// thousand UPSes is megabytes of stacks fewer.
type pinger struct {
	l *Link
	t *time.Timer

	mu      sync.Mutex // one firing at a time; stop waits for it
	stopped bool

	tmu    sync.Mutex // the timer's setting and kicked: held only to set them
	kicked bool       // reads resumed (and pingNow may be set)
}

// startPinger starts the pinger of a new connection.
func (l *Link) startPinger() *pinger {
	p := &pinger{l: l}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.t = time.AfterFunc(time.Hour, p.fire)
	p.arm()
	l.pinger.Store(p)
	return p
}

// stop ends the pinger, after a firing in progress (whose PING write is
// bounded).
func (p *pinger) stop() {
	p.l.pinger.CompareAndSwap(p, nil)
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	p.t.Stop()
}

// kick has the pinger send pingNow's PING, if set, and resume its timer;
// it never waits for a firing.
func (p *pinger) kick() {
	p.tmu.Lock()
	defer p.tmu.Unlock()
	p.kicked = true
	p.t.Reset(0)
}

// arm sets the timer from now: until a ping could be due while the data
// is read, off while nobody reads, at once if a kick came meanwhile.
// p.mu is held.
func (p *pinger) arm() {
	now := p.l.now()
	reading := p.l.reading(now)
	var d time.Duration
	if reading {
		d = p.l.pingSleep(now)
	}
	p.tmu.Lock()
	defer p.tmu.Unlock()
	switch {
	case p.kicked:
		p.t.Reset(0)
	case reading:
		p.t.Reset(d)
	default:
		p.t.Stop()
	}
}

// fire is the timer's work: a kick's PING, or one that has come due.
func (p *pinger) fire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	l := p.l
	p.tmu.Lock()
	kicked := p.kicked
	p.kicked = false
	p.tmu.Unlock()
	now := l.now()
	l.mu.Lock()
	var send bool
	if kicked {
		send = l.pingNow
		l.pingNow = false
	} else {
		// With some slack: the timer was set when the last PING went,
		// and its PONG came a moment later; waking again for that
		// moment would cost a second wake-up each cycle for a
		// precision NUT does not have (its upsd checks every 2 s).
		every := l.maxAge/3 - pingSlack
		send = l.reading(now) && now.Sub(l.lastHeard) >= every && now.Sub(l.lastPing) >= every
		if send {
			l.lastPing = now
		}
	}
	l.mu.Unlock()
	if send {
		_ = l.Send("PING")
	}
	p.arm()
}

// pingSlack is how much earlier than MAXAGE/3 of silence a ping may go.
const pingSlack = 100 * time.Millisecond

// idleAfter is how long after the last read of a UPS's data its driver is
// no longer pinged: longer than any sensible POLLFREQ, so that a polled UPS
// is pinged as NUT pings it.
const idleAfter = time.Minute

// reading reports whether the data was read within idleAfter.
func (l *Link) reading(now time.Time) bool {
	return now.UnixNano()-l.lastRead.Load() < int64(idleAfter)
}

// pingSleep is how long the pinger may sleep from now: until MAXAGE/3
// after the later of the last word heard and the last ping, at most Tick
// when one is set (tests on a fake clock).
func (l *Link) pingSleep(now time.Time) time.Duration {
	l.mu.RLock()
	last := l.lastHeard
	if l.lastPing.After(last) {
		last = l.lastPing
	}
	l.mu.RUnlock()
	d := max(last.Add(l.maxAge/3+timerLag).Sub(now), 10*time.Millisecond)
	if l.tick > 0 {
		d = min(d, l.tick)
	}
	return d
}

// readEarly and timerLag let a ping ride on a client's read: a read pings
// a driver quiet for MAXAGE/3 less readEarly, and the timer only for
// MAXAGE/3 plus timerLag, so that a monitor polling about every MAXAGE/3
// (NUT's POLLFREQ 5 and MAXAGE 15) has its pings sent with its polls, one
// wake-up instead of two.
const (
	readEarly = time.Second
	timerLag  = time.Second
)

// early is how much sooner than MAXAGE/3 a read may ping: readEarly, but
// never more than half of MAXAGE/3, so that a short MAXAGE does not make
// every read a ping.
func (l *Link) early() time.Duration { return min(readEarly, l.maxAge/6) }

// pongWait bounds how long the first read after a pause waits for the
// PONG of a driver silent for longer than MAXAGE: a live driver answers
// within milliseconds, a hung one is reported stale after it.
const pongWait = time.Second

// prod notes a read of the data. While reads come, it costs an atomic
// load (and a store once a second) and the pinger keeps the driver
// checked as NUT does. The first read after idleAfter without any wakes
// the pinger and pings a driver quiet for MAXAGE/3 at once; if the driver
// has been quiet for longer than MAXAGE, the read waits for its answer (up
// to pongWait) rather than call a live driver stale because nobody asked
// it in the meantime. It returns the time at which to judge the data's
// age: a clock reading is a sizeable part of what a GET costs upsd, so a
// read shares prod's unless prod waited.
func (l *Link) prod() time.Time {
	now := l.now()
	last := l.lastRead.Load()
	if d := now.UnixNano() - last; d < int64(idleAfter) {
		if d >= int64(time.Second) {
			l.lastRead.Store(now.UnixNano())
		}
		if now.UnixNano()-l.heardAt.Load() >= int64(l.maxAge/3-l.early()) {
			l.pingWithRead(now)
		}
		return now
	}
	l.lastRead.Store(now.UnixNano())
	l.mu.Lock()
	if l.conn == nil || !l.dumpDone {
		l.mu.Unlock()
		l.wakePinger()
		return now
	}
	quiet := now.Sub(l.lastHeard)
	if quiet >= l.maxAge/3 && now.Sub(l.lastPing) >= l.maxAge/3 {
		l.lastPing, l.pingNow = now, true
	}
	var heard chan struct{}
	if quiet > l.maxAge && l.dataOK && now.Sub(l.lastPing) < pongWait {
		if l.heard == nil {
			l.heard = make(chan struct{})
		}
		heard = l.heard
	}
	l.mu.Unlock()
	l.wakePinger()
	if heard == nil {
		return now
	}
	t := time.NewTimer(pongWait)
	defer t.Stop()
	select {
	case <-heard:
	case <-t.C:
	}
	return l.now()
}

// pingWithRead pings a quiet driver from a read, unless a ping went
// recently.
func (l *Link) pingWithRead(now time.Time) {
	l.mu.Lock()
	send := l.conn != nil && l.dumpDone && now.Sub(l.lastPing) >= l.maxAge/3-l.early()
	if send {
		l.lastPing, l.pingNow = now, true
	}
	l.mu.Unlock()
	if send {
		l.wakePinger()
	}
}

// wakePinger has the pinger send pingNow's PING, if set, and resume its
// timer; it never blocks. Without a connection there is nothing to ping:
// the next one's pinger starts from the reads.
func (l *Link) wakePinger() {
	if p := l.pinger.Load(); p != nil {
		p.kick()
	}
}

// changed reports whether ups.status as a client reads it differs from
// the last time it was asked, when an OnChange wants to know; l.mu is held.
// It compares fields already at hand: each read of a driver's updates
// costs one map lookup more, and no allocation.
func (l *Link) changed() bool {
	if l.onChange == nil {
		return false
	}
	kind, value := seenGone, ""
	switch {
	case l.conn == nil:
	case !l.dumpDone:
		return false // a dump in progress: its end will say
	case !l.dataOK:
		kind = seenStale
	default:
		kind = seenNone
		if v := l.tree.Get("ups.status"); v != nil {
			kind, value = seenValue, v.Value
		}
	}
	if kind == l.seenKind && value == l.seenValue {
		return false
	}
	l.seenKind, l.seenValue = kind, value
	return true
}

// What a client last saw of ups.status, for changed.
const (
	seenGone  = iota // the driver is not connected
	seenStale        // it said DATASTALE
	seenNone         // it publishes no ups.status
	seenValue        // seenValue holds it
)

// over logs that the driver passed a limit or sent garbage, once per
// connection: a driver that floods must not flood the journal. l.mu is held.
func (l *Link) over(what string) {
	if l.overLogged {
		return
	}
	l.overLogged = true
	l.log.Warn("driver sent more than upsd keeps (further excess on this connection is not logged)",
		"socket", l.path, "cause", what)
}

// handle applies one line from the driver; l.mu is held.
func (l *Link) handle(w []string) {
	if len(w) == 0 {
		return
	}
	if ok, err := apply(l.tree, w, l.limits); ok {
		if err != nil {
			l.over(err.Error())
		}
		return
	}
	switch strings.ToUpper(w[0]) {
	case "PONG":
	case "DUMPDONE":
		l.dumpDone = true
		l.settle()
	case "DATAOK":
		l.dataOK = true
	case "DATASTALE":
		l.dataOK = false
	case "TRACKING":
		if len(w) >= 3 && l.onTracking != nil {
			l.onTracking(w[1], nutproto.Atoi(w[2]))
		}
	default:
		l.log.Debug("unknown line from driver", "socket", l.path, "line", strings.Join(w, " "))
	}
}
