package upsd

import (
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/rawsock"
	"github.com/sysnut/sysnut/internal/state"
)

// WATCH is sysnut's one addition to NUT's protocol: it turns a connection
// into a stream of status changes, so that a monitor learns of a power
// failure when the driver does instead of at its next poll.
//
//	WATCH <upsname> [<upsname>...]
//	OK WATCHING
//	STATUS <upsname> "<ups.status>"
//	STATUS <upsname> ERR <error>
//
// After OK WATCHING the server sends the current status of each UPS named,
// then one STATUS line whenever what GET VAR <upsname> ups.status would
// answer changes: a new value (FSD included), or the error that replaces it
// (DATA-STALE, DRIVER-NOT-CONNECTED). A line may repeat the one before it.
// The connection then only carries these lines: what the client sends is
// read and ignored, it has no idle timeout, and it ends when either side
// closes it. Staleness that comes only from MAXAGE passing is not pushed;
// a monitor's regular polls still see it.
//
// WATCH needs no login, as GET VAR does not; with USERNAME and PASSWORD
// given first the password is checked (ERR ACCESS-DENIED), and a watching
// connection that passed is never the one closed to make room at MAXCONN.
// NUT's upsd answers ERR UNKNOWN-COMMAND, which tells a client to poll.
const watchReply = "OK WATCHING\n"

// pushWriteTimeout bounds a write of pushed lines to one watcher. They are
// a few bytes each, so only a client that has stopped reading for many of
// them makes a write wait; it is dropped rather than delay the others.
const pushWriteTimeout = 100 * time.Millisecond

// watchers are the connections watching one UPS, and the pushing of its
// changes to them. A goroutine pushes while changes come and ends when
// they stop: a UPS whose status does not change costs upsd no goroutine
// (a thousand UPSes, no thousand stacks).
type watchers struct {
	mu      sync.Mutex
	conns   map[*conn]struct{}
	push    func()         // one push of the UPS's status; nil while it is not served
	pending bool           // a change came that no push has started on
	pushing bool           // the goroutine (done) is running
	done    sync.WaitGroup // the pushing goroutine
	last    []byte         // the line pushed last; the pushing goroutine's
}

func newWatchers() *watchers {
	return &watchers{conns: map[*conn]struct{}{}}
}

// changed asks for a push; it never blocks (Link.OnChange, FSD). Changes
// that come while a push runs are coalesced into one more.
func (w *watchers) changed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = true
	w.startLocked()
}

// startLocked starts the pushing goroutine if a push is pending and none
// runs; w.mu is held.
func (w *watchers) startLocked() {
	if !w.pending || w.pushing || w.push == nil {
		return
	}
	w.pushing = true
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		for {
			w.mu.Lock()
			push := w.push
			if !w.pending || push == nil {
				w.pushing = false
				w.mu.Unlock()
				return
			}
			w.pending = false
			w.mu.Unlock()
			push()
		}
	}()
}

// serve has changes pushed with push from now on (a change that came
// before is pushed at once).
func (w *watchers) serve(push func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.push = push
	w.startLocked()
}

// end stops the pushing, waits for a push under way, and returns the
// watchers, for the caller to close: a client watching a UPS that is gone
// learns it by WATCHing again.
func (w *watchers) end() []*conn {
	w.mu.Lock()
	w.push = nil
	w.mu.Unlock()
	w.done.Wait()
	return w.list()
}

func (w *watchers) add(c *conn) {
	w.mu.Lock()
	w.conns[c] = struct{}{}
	w.mu.Unlock()
}

func (w *watchers) remove(c *conn) {
	w.mu.Lock()
	delete(w.conns, c)
	w.mu.Unlock()
}

func (w *watchers) list() []*conn {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*conn, 0, len(w.conns))
	for c := range w.conns {
		out = append(out, c)
	}
	return out
}

// push writes u's status to its watchers if it differs from the line
// pushed last (watchers.serve).
func (s *Server) push(u *ups) {
	line, ok := appendStatus(nil, u)
	if !ok || string(line) == string(u.watch.last) {
		return
	}
	u.watch.last = line
	u.statusChange.Store(s.now().UnixNano())
	for _, c := range u.watch.list() {
		if !c.send(line) {
			s.drop(c)
		}
	}
}

// appendStatus appends u's STATUS line; false while a dump is under way
// (GET VAR would answer WAIT: the dump's end is pushed instead).
func appendStatus(out []byte, u *ups) ([]byte, bool) {
	ok := true
	u.link.Peek(func(t *state.Tree, a driversock.Availability, dumping bool) {
		out = append(out, "STATUS "...)
		out = append(out, u.name...)
		out = append(out, ' ')
		var avail bool
		if out, avail = available(out, a); !avail {
			return
		}
		if dumping {
			ok = false
			return
		}
		node := t.Get("ups.status")
		if node == nil {
			out = appendErr(out, nutproto.ErrVarNotSupported)
			return
		}
		out = append(out, '"')
		out = nutproto.AppendEscaped(out, u.shownStatus(node.Value))
		out = append(out, '"', '\n')
	})
	return out, ok
}

// send writes pushed lines to a watching connection, from the UPS's
// pushing goroutine; false if the client is gone or not reading.
func (c *conn) send(line []byte) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed.Load() {
		return true
	}
	// No deadline unless the socket is full: one left behind is a timer
	// per watcher that fires later for nothing.
	_, err := rawsock.WriteWithin(c.rw, line, pushWriteTimeout)
	c.wArmed = time.Time{} // a reply after this sets its own deadline
	return err == nil
}

// cmdWatch answers WATCH: every UPS named must exist; the connection is
// registered with each, and the reply and the current statuses are written
// at once, under the write lock, so that no push can come before them.
func (c *conn) cmdWatch(out []byte, args []string) []byte {
	if len(args) == 0 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	if c.watching.Load() {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	var list []*ups
	for _, a := range args {
		u := c.s.lookup(a)
		if u == nil {
			return appendErr(out, nutproto.ErrUnknownUPS)
		}
		list = append(list, u)
	}
	if c.hasUsername && c.hasPassword && c.user() == nil {
		return appendErr(out, nutproto.ErrAccessDenied)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.watching.Store(true)
	c.watched = list
	out = append(out, watchReply...)
	for _, u := range list {
		u.watch.add(c)
		line, ok := appendStatus(nil, u)
		if ok {
			out = append(out, line...)
		}
	}
	c.out = out
	if !c.write() {
		c.closing = true
	}
	c.s.log.Info("client watching for status changes", "client", c.addr, "ups", args)
	return c.out
}

// drop closes a watching connection that cannot take its pushes. One in
// the loop is finished here, since closing its socket takes it out of the
// epoll set without an event; one with a goroutine is finished by it.
func (s *Server) drop(c *conn) {
	if p := s.loop; p != nil {
		p.mu.Lock()
		parked := c.parked != nil
		if parked {
			p.unpark(c)
		}
		p.mu.Unlock()
		if parked {
			c.close()
			return
		}
	}
	c.nc.Close()
}

// unwatch takes a closed connection off the UPSes it watched.
func (c *conn) unwatch() {
	for _, u := range c.watched {
		u.watch.remove(c)
	}
}
