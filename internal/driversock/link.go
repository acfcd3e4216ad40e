package driversock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/nutproto"
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
	overLogged bool // a limit was logged on this connection; l.mu

	mu        sync.RWMutex
	tree      *state.Tree
	conn      net.Conn
	dumpDone  bool
	dataOK    bool
	lastHeard time.Time
	lastPing  time.Time
	wmu       sync.Mutex // serialises writes to conn
	seenKind  int        // what changed last reported (seenGone...)
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
	Now      func() time.Time // clock, for tests
	Limits   Limits           // zero: DefaultLimits
	// Tick caps the pinger's sleep, for tests that move Now by hand; zero
	// in production, where it sleeps until a ping could be due.
	Tick time.Duration
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
		l.now = time.Now
	}
	return l
}

// Path is the socket this link connects to.
func (l *Link) Path() string { return l.path }

// View calls fn with the mirrored tree and the availability, under a read
// lock: fn must not keep the tree or call back into the link. While the
// dump that follows a connect is running, dumping is true.
func (l *Link) View(fn func(t *state.Tree, a Availability, dumping bool)) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	fn(l.tree, l.availability(), l.conn != nil && !l.dumpDone)
}

// Availability reports whether clients may read the data.
func (l *Link) Availability() Availability {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.availability()
}

func (l *Link) availability() Availability {
	switch {
	case l.conn == nil:
		return NotConnected
	case l.dumpDone && !l.dataOK:
		return Stale
	case l.now().Sub(l.lastHeard) > l.maxAge:
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
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := c.Write([]byte(line + "\n"))
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
			err = l.serve(ctx, c)
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
	l.overLogged = false
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.conn = nil
		l.tree = state.New()
		changed := l.changed()
		l.mu.Unlock()
		c.Close()
		if changed {
			l.onChange()
		}
	}()

	stop := make(chan struct{})
	done := make(chan struct{})
	defer func() { close(stop); <-done }()
	go func() {
		defer close(done)
		l.pinger(ctx, c, stop)
	}()

	if err := l.Send("DUMPALL"); err != nil {
		return fmt.Errorf("send DUMPALL: %w", err)
	}
	lex := nutproto.NewLexer(nutproto.NetLimits)
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			l.mu.Lock()
			l.lastHeard = l.now()
			for _, b := range buf[:n] {
				switch lex.Feed(b) {
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

// pinger prods a silent driver as NUT does, once MAXAGE/3 has passed
// without a word from it. It sleeps until the next ping could be due, not
// on a ticker, so an idle upsd wakes rarely.
func (l *Link) pinger(ctx context.Context, c net.Conn, stop <-chan struct{}) {
	t := time.NewTimer(l.pingSleep(l.now()))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			c.Close()
			return
		case <-stop:
			return
		case <-t.C:
		}
		now := l.now()
		l.mu.Lock()
		due := now.Sub(l.lastHeard) >= l.maxAge/3 && now.Sub(l.lastPing) >= l.maxAge/3
		if due {
			l.lastPing = now
		}
		l.mu.Unlock()
		if due {
			_ = l.Send("PING")
		}
		t.Reset(l.pingSleep(now))
	}
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
	d := max(last.Add(l.maxAge/3).Sub(now), 10*time.Millisecond)
	if l.tick > 0 {
		d = min(d, l.tick)
	}
	return d
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
