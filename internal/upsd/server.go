// Package upsd is the NUT network server: it mirrors each UPS's state from
// its driver socket and answers NUT's network protocol (TCP 3493) exactly as
// NUT's upsd 2.8 does, so that every NUT client keeps working.
package upsd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysnut/sysnut/internal/cmdvartab"
	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"

	"github.com/sysnut/sysnut/internal/version"
)

// Version is what VER and server.version report after NUT's product name.
const Version = "sysnut-" + version.Release

// URL is printed by VER, as NUT prints its home page.
const URL = "https://github.com/sysnut/sysnut"

// verLine is VER's reply and server.info's value; clients only look at its
// "Network UPS Tools upsd " prefix.
const verLine = "Network UPS Tools upsd " + Version + " - " + URL

// UPSDef names a UPS and its driver socket.
type UPSDef struct {
	Name   string
	Desc   string
	Socket string
}

// Config is what the server runs with; Reload replaces it.
type Config struct {
	UPS           []UPSDef
	Users         *config.Users
	Descriptions  *cmdvartab.Table
	MaxAge        time.Duration
	TrackingDelay time.Duration
	MaxConn       int           // 0: the open-files limit less a reserve (defaultMaxConn)
	IdleTimeout   time.Duration // default 60 s
	// WriteTimeout drops a client that takes none of a reply for this
	// long: it has stopped reading (default 10 s).
	WriteTimeout time.Duration
	// NoLoop serves every connection on a goroutine of its own, as TLS
	// ones are and as all are where epoll is unavailable, instead of in
	// the loop (loop.go); for tests of that path.
	NoLoop bool
	TLS    *tls.Config // STARTTLS; nil: FEATURE-NOT-CONFIGURED
	// Password checks are throttled per source (authLimiter): AuthBurst
	// failures at once, then one per AuthInterval (defaults 10 and
	// 500 ms); and for the whole server AuthGlobalBurst, then one per
	// AuthGlobalInterval (defaults 50 and 20 ms).
	AuthBurst          int
	AuthInterval       time.Duration
	AuthGlobalBurst    int
	AuthGlobalInterval time.Duration
}

// FromFiles builds a Config from parsed NUT config files.
func FromFiles(ups *config.UPSConf, upsd *config.UpsdConf, users *config.Users, descs *cmdvartab.Table) Config {
	sp := config.StatePath(ups, upsd)
	c := Config{Users: users, Descriptions: descs, MaxAge: upsd.MaxAge,
		TrackingDelay: upsd.TrackingDelay, MaxConn: upsd.MaxConn}
	for _, u := range ups.UPS {
		c.UPS = append(c.UPS, UPSDef{Name: u.Name, Desc: u.Desc,
			Socket: filepath.Join(sp, u.Driver+"-"+u.Name)})
	}
	return c
}

// ups is one served UPS.
type ups struct {
	name      string
	desc      string
	link      *driversock.Link
	fsd       atomic.Bool
	numLogins atomic.Int32
	watch     *watchers
	// statusChange is when the STATUS line clients are pushed last changed
	// (unix nanoseconds; 0 until upsd has seen one): GET STATUSCHANGE.
	statusChange atomic.Int64
	stop         context.CancelFunc
	done         chan struct{}
	running      bool // the link runs; false for one made before Run started
}

// shownStatus is ups.status as clients read it: FSD in front once a
// primary has set it (GET VAR, LIST VAR, WATCH).
func (u *ups) shownStatus(v string) string {
	if u.fsd.Load() {
		return "FSD " + v
	}
	return v
}

// served is what a Reload replaces at once: the configuration and the
// UPSes. It is never changed after it is stored, so requests read it
// without a lock.
type served struct {
	cfg    Config
	list   []*ups
	byName map[string]*ups
}

// Server answers NUT's network protocol.
type Server struct {
	log      *slog.Logger
	tracking *tracking
	auth     *authLimiter
	now      func() time.Time

	mu  sync.Mutex             // serialises Run's start and Reload, which replace cur
	cur atomic.Pointer[served] // read without a lock on every request
	ctx context.Context        // for links started by Reload; mu

	loop      *loop // serves plain TCP connections; nil if epoll failed or NoLoop
	reclaim   *reclaimer
	ready     chan struct{} // closed once Run serves
	readyOnce sync.Once

	connMu       sync.Mutex
	conns        map[*conn]struct{}
	lastEvictLog time.Time
	lastSlowLog  time.Time
	slowDropped  int // slow readers dropped since lastSlowLog
	wg           sync.WaitGroup
}

// New returns a server for cfg. Run starts it.
func New(cfg Config, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = withDefaults(cfg)
	s := &Server{log: log, now: time.Now, conns: map[*conn]struct{}{},
		ready: make(chan struct{}), reclaim: newReclaimer()}
	s.cur.Store(&served{cfg: cfg, byName: map[string]*ups{}})
	s.tracking = newTracking(cfg.TrackingDelay, s.now)
	s.auth = newAuthLimiter(bucketSpec{float64(cfg.AuthBurst), cfg.AuthInterval},
		bucketSpec{float64(cfg.AuthGlobalBurst), cfg.AuthGlobalInterval}, s.now, log)
	return s
}

func withDefaults(c Config) Config {
	if c.MaxAge <= 0 {
		c.MaxAge = 15 * time.Second
	}
	if c.TrackingDelay <= 0 {
		c.TrackingDelay = time.Hour
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 60 * time.Second
	}
	if c.MaxConn <= 0 {
		c.MaxConn = defaultMaxConn()
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.AuthBurst <= 0 {
		c.AuthBurst = 10
	}
	if c.AuthInterval <= 0 {
		c.AuthInterval = 500 * time.Millisecond
	}
	if c.AuthGlobalBurst <= 0 {
		c.AuthGlobalBurst = 50
	}
	if c.AuthGlobalInterval <= 0 {
		c.AuthGlobalInterval = 20 * time.Millisecond
	}
	if c.Users == nil {
		c.Users = &config.Users{}
	}
	return c
}

// Ready is closed once Run has started every driver link, waited for the
// drivers' first dumps (up to settleTimeout) and is accepting: the moment
// for READY=1.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Run connects to the drivers and serves the listeners until ctx ends, then
// closes every connection and waits for its goroutines. Reload may be
// called at any moment, before Run too.
func (s *Server) Run(ctx context.Context, listeners []net.Listener) error {
	if len(listeners) == 0 {
		return errors.New("no listening sockets")
	}
	// A fatal accept error ends everything, as the end of ctx does. What
	// serves clients and links runs on live, which ends only once the
	// listeners are closed and the clients gone (see below).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	live, endLive := context.WithCancel(context.WithoutCancel(ctx))
	defer endLive()
	s.mu.Lock()
	s.ctx = live
	cfg := s.cur.Load().cfg
	s.mu.Unlock()
	s.applyUPS(cfg)
	s.awaitDrivers(ctx)
	if cfg.NoLoop {
		// Each connection on its own goroutine.
	} else if p, err := newLoop(s); err != nil {
		s.log.Warn("each connection is served on a goroutine of its own: epoll unavailable", "err", err)
	} else {
		s.mu.Lock() // for NumParked; what reads it later starts after this
		s.loop = p
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			p.run(live, func(c *conn) { s.serve(live, c) })
		}()
	}

	errc := make(chan error, len(listeners))
	var accepting sync.WaitGroup
	for _, l := range listeners {
		s.wg.Add(1)
		accepting.Add(1)
		go func() {
			defer s.wg.Done()
			defer accepting.Done()
			errc <- s.accept(ctx, live, l)
		}()
	}
	s.readyOnce.Do(func() { close(s.ready) })

	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		cancel()
	}
	// Clients go first, then the drivers: a client must see its
	// connection close (and reconnect to the next upsd), never a
	// DRIVER-NOT-CONNECTED from a server on its way out. No connection
	// is accepted once the accept loops have ended.
	for _, l := range listeners {
		l.Close()
	}
	accepting.Wait()
	s.connMu.Lock()
	for c := range s.conns {
		c.nc.Close()
	}
	s.connMu.Unlock()
	s.mu.Lock()
	for _, u := range s.cur.Load().list {
		u.stop()
	}
	s.mu.Unlock()
	endLive()
	s.wg.Wait()
	s.auth.close()
	s.mu.Lock()
	for _, u := range s.cur.Load().list {
		<-u.done
	}
	s.mu.Unlock()
	return err
}

// settleTimeout bounds how long a starting upsd waits for its drivers.
const settleTimeout = 2 * time.Second

// awaitDrivers waits until each driver link has its first dump or has
// failed to connect, up to settleTimeout. Under socket activation clients
// wait in the socket's backlog meanwhile, so a restarted upsd answers
// them with data instead of DRIVER-NOT-CONNECTED.
func (s *Server) awaitDrivers(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for _, u := range s.upsList() {
		select {
		case <-u.link.Settled():
		case <-ctx.Done():
			return
		}
	}
}

// Reload applies a new configuration; client connections stay open, links
// to drivers whose UPS and socket are unchanged keep their state.
func (s *Server) Reload(cfg Config) {
	cfg = withDefaults(cfg)
	s.applyUPS(cfg)
}

// applyUPS replaces the configuration and reconciles the set of UPSes.
func (s *Server) applyUPS(cfg Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := maps.Clone(s.cur.Load().byName)
	s.tracking.mu.Lock()
	s.tracking.ttl = cfg.TrackingDelay
	s.tracking.mu.Unlock()
	next := &served{cfg: cfg, byName: map[string]*ups{}}
	for _, d := range cfg.UPS {
		k := strings.ToLower(d.Name)
		u := old[k]
		if u != nil && u.running && u.link.Path() == d.Socket && u.name == d.Name {
			delete(old, k)
			u.desc = d.Desc
		} else {
			u = s.startUPS(d, cfg)
		}
		next.list = append(next.list, u)
		next.byName[k] = u
	}
	s.cur.Store(next)
	for _, u := range old {
		if u.stop != nil {
			u.stop()
		}
	}
}

// startUPS creates a UPS and starts its driver link; s.mu is held.
func (s *Server) startUPS(d UPSDef, cfg Config) *ups {
	u := &ups{name: d.Name, desc: d.Desc, done: make(chan struct{}), watch: newWatchers()}
	u.link = driversock.NewLink(driversock.LinkConfig{
		Path: d.Socket, MaxAge: cfg.MaxAge, OnTracking: s.tracking.set,
		OnChange: u.watch.changed, Logger: s.log.With("ups", d.Name),
	})
	if s.ctx == nil {
		// Not running yet: Run replaces this UPS with a running one.
		u.stop = func() {}
		close(u.done)
		return u
	}
	ctx, cancel := context.WithCancel(s.ctx)
	u.stop, u.running = cancel, true
	go func() {
		defer close(u.done)
		u.watch.serve(func() { s.push(u) })
		u.link.Run(ctx)
		for _, c := range u.watch.end() {
			s.drop(c)
		}
	}()
	return u
}

// lookup finds a UPS by name, case-insensitively.
func (s *Server) lookup(name string) *ups {
	return s.cur.Load().byName[strings.ToLower(name)]
}

// config returns the current configuration, which must not be changed.
func (s *Server) config() *Config { return &s.cur.Load().cfg }

// upsList returns the UPSes in ups.conf order.
func (s *Server) upsList() []*ups { return s.cur.Load().list }

// accept serves one listener until ctx ends, each connection on live. A transient error
// (transientAccept) is retried after a growing pause; any other error,
// including the listener closing under it, is returned, and Run then
// ends with it, so that the process exits non-zero and systemd's
// Restart= brings upsd back instead of leaving a server that no longer
// accepts.
func (s *Server) accept(ctx, live context.Context, l net.Listener) error {
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if !transientAccept(err) {
				return fmt.Errorf("accept on %s: %w", l.Addr(), err)
			}
			if delay == 0 {
				s.log.Warn("accept failed; retrying", "listener", l.Addr().String(), "err", err)
			}
			delay = min(max(delay*2, 5*time.Millisecond), time.Second)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(delay):
			}
			continue
		}
		delay = 0
		c := newConn(s, nc)
		if hasInput(nc) {
			c.sentLine.Store(true)
		}
		if !s.admit(c) {
			nc.Close()
			continue
		}
		if s.loop != nil && parkable(c) && s.loop.park(c, c.idleEnd(s.config())) {
			continue
		}
		s.serve(live, c)
	}
}

// serve runs c on a goroutine of its own until it is closed or back in
// the loop.
func (s *Server) serve(ctx context.Context, c *conn) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		c.serve(ctx)
	}()
}

// admit registers a new connection. At MAXCONN it makes room by closing
// one that has not authenticated (victim); if every connection has
// authenticated, the newcomer is refused. An authenticated session is
// never closed.
func (s *Server) admit(c *conn) bool {
	limit := s.config().MaxConn
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if limit > 0 && len(s.conns) >= limit {
		victim := victim(s.conns, func(o *conn) bool { return hasInput(o.nc) })
		if victim == nil {
			if now := time.Now(); now.Sub(s.lastEvictLog) > 10*time.Second {
				s.lastEvictLog = now
				s.log.Warn(fmt.Sprintf("connection from %s refused: MAXCONN %d reached by authenticated sessions", c.addr, limit), "client", c.addr, "maxconn", limit)
			}
			return false
		}
		// Once per eviction would flood the journal during an attack;
		// the first of each burst is enough.
		if now := time.Now(); now.Sub(s.lastEvictLog) > 10*time.Second {
			s.lastEvictLog = now
			s.log.Warn(fmt.Sprintf("MAXCONN %d reached: closing unauthenticated connections (%s first)", limit, victim.addr), "client", victim.addr, "maxconn", limit)
		}
		delete(s.conns, victim)
		victim.nc.Close()
	}
	s.conns[c] = struct{}{}
	s.reclaim.seen(len(s.conns))
	return true
}

// victim chooses the connection to close at MAXCONN by what each has done,
// so that a flood can neither pick who goes nor push out a monitor logging
// in again: first a connection whose password failed, then one that has
// sent nothing, then one that sent lines but has not authenticated.
// Within a kind, the source (as the password throttle counts them) holding
// most connections of that kind loses its oldest, so a flood mostly
// displaces itself. A client that speaks as it connects (a monitor sends
// USERNAME, PASSWORD and LOGIN at once) counts as having spoken as soon as
// its bytes wait in its socket (waiting), before its goroutine has read
// them. Authenticated connections never go; nil means every connection
// has authenticated.
func victim(conns map[*conn]struct{}, waiting func(*conn) bool) *conn {
	const kinds = 3
	var count [kinds]map[netip.Prefix]int
	for i := range count {
		count[i] = map[netip.Prefix]int{}
	}
	kind := func(o *conn) int {
		switch {
		case o.trusted.Load():
			return -1
		case o.authFailed.Load():
			return 0
		case !o.sentLine.Load():
			return 1
		}
		return 2
	}
	for o := range conns {
		if k := kind(o); k >= 0 {
			count[k][sourceOf(o.addr)]++
		}
	}
	for k := range kinds {
		var cands []*conn
		for o := range conns {
			if kind(o) == k {
				cands = append(cands, o)
			}
		}
		slices.SortFunc(cands, func(a, b *conn) int {
			if na, nb := count[k][sourceOf(a.addr)], count[k][sourceOf(b.addr)]; na != nb {
				return nb - na
			}
			return a.opened.Compare(b.opened)
		})
		for _, o := range cands {
			if k == 1 && waiting(o) {
				o.sentLine.Store(true) // spoke; its goroutine has not read yet
				continue
			}
			return o
		}
	}
	// Only connections whose first bytes were still unread: the oldest.
	var best *conn
	for o := range conns {
		if kind(o) == 2 && (best == nil || o.opened.Before(best.opened)) {
			best = o
		}
	}
	return best
}

// slowReader notes a client dropped because it stopped reading its
// replies: the first of each 10 s is logged, with how many went since.
func (s *Server) slowReader(addr string) {
	timeout := s.config().WriteTimeout
	s.connMu.Lock()
	defer s.connMu.Unlock()
	s.slowDropped++
	if now := time.Now(); now.Sub(s.lastSlowLog) > 10*time.Second {
		s.log.Warn(fmt.Sprintf("%s stopped reading its replies: connection dropped (%d since the last report)", addr, s.slowDropped), "client", addr,
			"dropped_since_last_report", s.slowDropped, "write_timeout", timeout.String())
		s.lastSlowLog, s.slowDropped = now, 0
	}
}

// forget drops a closed connection from the registry.
func (s *Server) forget(c *conn) {
	s.connMu.Lock()
	delete(s.conns, c)
	n := len(s.conns)
	s.connMu.Unlock()
	s.reclaim.seen(n)
}

// clientsOf returns the addresses of connections logged into u.
func (s *Server) clientsOf(u *ups) []string {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	var out []string
	for c := range s.conns {
		if c.loginUPS.Load() == u {
			out = append(out, c.addr)
		}
	}
	return out
}

// NumParked is the number of connections served by the loop, without a
// goroutine.
func (s *Server) NumParked() int {
	s.mu.Lock()
	p := s.loop
	s.mu.Unlock()
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns.len()
}

// NumConns is the number of open client connections.
func (s *Server) NumConns() int {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return len(s.conns)
}
