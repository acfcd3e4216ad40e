package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MonitorOptions describe a crowd of simulated monitors.
type MonitorOptions struct {
	Addr           string
	UPS            []string // monitor i watches UPS[i%len(UPS)]
	N              int
	User, Password string
	Every          time.Duration // between two polls of one monitor
	Watchers       int           // the first Watchers monitors also WATCH their UPS (sysnut's upsd)
	Ramp           time.Duration // spread the logins over this long
}

// Monitors are n simulated upsmon sessions: each logs in to its UPS and
// polls GET VAR ups.status every Every, as NUT's upsmon does, and with
// the first Watchers keep a WATCH connection open as sysnut's upsmon does.
// They record the slowest reply and when each first saw the status Await
// names.
type Monitors struct {
	opt    MonitorOptions
	wg     sync.WaitGroup
	cancel context.CancelFunc

	ready   atomic.Int64 // sessions logged in (and watching, with Watch)
	polls   atomic.Int64
	errs    atomic.Int64
	slowest atomic.Int64 // nanoseconds
	target  atomic.Pointer[string]
	seen    []atomic.Int64 // per monitor: Unix nanoseconds it first saw target; 0 not yet
	first   atomic.Pointer[error]
}

// FirstError is the first failure of a session, if any.
func (m *Monitors) FirstError() error {
	if e := m.first.Load(); e != nil {
		return *e
	}
	return nil
}

func (m *Monitors) fail(err error) {
	m.errs.Add(1)
	m.first.CompareAndSwap(nil, &err)
}

// StartMonitors starts the crowd; Stop ends it.
func StartMonitors(ctx context.Context, o MonitorOptions) *Monitors {
	ctx, cancel := context.WithCancel(ctx)
	m := &Monitors{opt: o, cancel: cancel, seen: make([]atomic.Int64, o.N)}
	empty := ""
	m.target.Store(&empty)
	for i := range o.N {
		delay := time.Duration(0)
		if o.N > 1 {
			delay = o.Ramp * time.Duration(i) / time.Duration(o.N)
		}
		ups := o.UPS[i%len(o.UPS)]
		m.wg.Go(func() { m.poller(ctx, i, ups, delay) })
		if i < o.Watchers {
			m.wg.Go(func() { m.watcher(ctx, i, ups, delay) })
		}
	}
	return m
}

// Ready is how many sessions are in place (logged in, or watching).
func (m *Monitors) Ready() int64 { return m.ready.Load() }

// Stop ends every session and waits for them.
func (m *Monitors) Stop() {
	m.cancel()
	m.wg.Wait()
}

// Reset forgets the slowest reply, the counts and the first failure,
// after the ramp.
func (m *Monitors) Reset() {
	m.slowest.Store(0)
	m.polls.Store(0)
	m.errs.Store(0)
	m.first.Store(nil)
}

// Slowest is the slowest poll's round trip since Reset, with the number
// of polls and of failures.
func (m *Monitors) Slowest() (time.Duration, int64, int64) {
	return time.Duration(m.slowest.Load()), m.polls.Load(), m.errs.Load()
}

// Await starts watching for status (as GET VAR or a push shows it).
func (m *Monitors) Await(status string) {
	for i := range m.seen {
		m.seen[i].Store(0)
	}
	m.target.Store(&status)
}

// Arrived reports how many monitors have seen the awaited status, and
// the latest and median time after t0 at which they did.
func (m *Monitors) Arrived(t0 time.Time) (n int, last, median time.Duration) {
	return arrived(m.seen, t0)
}

func arrived(seen []atomic.Int64, t0 time.Time) (n int, last, median time.Duration) {
	var ds []time.Duration
	for i := range seen {
		if at := seen[i].Load(); at != 0 {
			ds = append(ds, time.Unix(0, at).Sub(t0))
		}
	}
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	return len(ds), ds[len(ds)-1], ds[len(ds)/2]
}

// ArrivedPushed is Arrived for the watching monitors only.
func (m *Monitors) ArrivedPushed(t0 time.Time) (n int, last, median time.Duration) {
	return arrived(m.seen[:min(m.opt.Watchers, len(m.seen))], t0)
}

func (m *Monitors) saw(i int, status string) {
	if t := *m.target.Load(); t != "" && status == t && m.seen[i].Load() == 0 {
		m.seen[i].CompareAndSwap(0, time.Now().UnixNano())
	}
}

// session connects, authenticates and sends the lines given, each of
// which must be answered with a line starting with OK.
func (m *Monitors) session(ctx context.Context, lines ...string) (net.Conn, *bufio.Reader, error) {
	d := net.Dialer{Timeout: 30 * time.Second}
	c, err := d.DialContext(ctx, "tcp", m.opt.Addr)
	if err != nil {
		return nil, nil, err
	}
	r := bufio.NewReader(c)
	all := append([]string{"USERNAME " + m.opt.User, "PASSWORD " + m.opt.Password}, lines...)
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := fmt.Fprint(c, strings.Join(all, "\n")+"\n"); err != nil {
		c.Close()
		return nil, nil, err
	}
	for _, l := range all {
		reply, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(reply, "OK") {
			c.Close()
			return nil, nil, fmt.Errorf("%s: %q %v", l, reply, err)
		}
	}
	_ = c.SetDeadline(time.Time{})
	return c, r, nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// open waits delay, then opens a session that sends line and counts it
// in place; the session is closed when ctx ends, or by the returned func.
// ok is false if there is no session.
func (m *Monitors) open(ctx context.Context, delay time.Duration, line string) (c net.Conn, r *bufio.Reader, done func(), ok bool) {
	if !pause(ctx, delay) {
		return nil, nil, nil, false
	}
	c, r, err := m.session(ctx, line)
	if err != nil {
		m.fail(err)
		return nil, nil, nil, false
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	m.ready.Add(1)
	return c, r, func() { stop(); c.Close() }, true
}

func (m *Monitors) poller(ctx context.Context, i int, ups string, delay time.Duration) {
	c, r, done, ok := m.open(ctx, delay, "LOGIN "+ups)
	if !ok {
		return
	}
	defer done()
	req := []byte("GET VAR " + ups + " ups.status\n")
	for pause(ctx, m.opt.Every) {
		t0 := time.Now()
		_ = c.SetDeadline(t0.Add(30 * time.Second))
		if _, err := c.Write(req); err != nil {
			m.fail(fmt.Errorf("poll: %w", err))
			return
		}
		reply, err := r.ReadString('\n')
		if err != nil {
			if ctx.Err() == nil {
				m.fail(fmt.Errorf("poll: %w", err))
			}
			return
		}
		d := int64(time.Since(t0))
		for s := m.slowest.Load(); d > s && !m.slowest.CompareAndSwap(s, d); s = m.slowest.Load() {
		}
		m.polls.Add(1)
		if v, ok := strings.CutPrefix(strings.TrimSpace(reply), "VAR "+ups+" ups.status "); ok {
			m.saw(i, strings.Trim(v, `"`))
		}
	}
}

func (m *Monitors) watcher(ctx context.Context, i int, ups string, delay time.Duration) {
	_, r, done, ok := m.open(ctx, delay, "WATCH "+ups)
	if !ok {
		return
	}
	defer done()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "STATUS "+ups+" "); ok {
			m.saw(i, strings.Trim(v, `"`))
		}
	}
}
