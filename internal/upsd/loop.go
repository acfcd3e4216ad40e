package upsd

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sysnut/sysnut/internal/rawsock"
)

// loop serves plain TCP connections on one goroutine for all of them, as
// NUT's upsd does: the connections wait in one epoll set, and the loop
// reads each that is readable, answers what needs no waiting (GET, VER,
// ...) and writes the replies with one non-blocking write. Per request that
// is a read and a write, with no goroutine to wake and no read that finds
// nothing; and a connection costs its socket and its conn, not a
// goroutine's stack and buffer, so thousands of monitors (or a flood of
// idle connections) cost little. A line that may wait (mayWait), a reply
// the socket does not take at once, and a reply of flushAt or more go to
// a goroutine (serve), which hands the connection back once it is
// answered. The loop also keeps the idle timeouts. TLS connections keep a
// goroutine each: their state lives in its tls.Conn.
type loop struct {
	s    *Server
	epfd int              // the set of parked connections
	ep   *os.File         // epfd in Go's poller: run waits on it like on a socket
	wake int              // eventfd: a new earlier deadline, or the end
	buf  []byte           // what one read brings; the loop's alone
	out  []byte           // replies being built; handed to a conn only if unwritten
	io   rawsock.Call     // the loop's read or write of a connection
	doIO func(fd uintptr) // io.Do, bound once

	mu     sync.Mutex
	conns  fdTable // parked, by descriptor
	expiry expiryHeap
}

// clockEvery is how many batches of events share one reading of the
// clock while the loop is busy; a wait reads it afresh. Reading it costs
// as much as a request's parsing, and what it is for (idle timeouts,
// which count seconds) needs no better than a batch's tens of
// microseconds times this.
const clockEvery = 64

// readSize bounds one read of the loop: a monitor's request is a few
// dozen bytes, a pipelining client's are answered a read at a time.
const readSize = 4096

func newLoop(s *Server) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wake)}); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, err
	}
	// An epoll descriptor is itself readable while it has events: marked
	// non-blocking, os.NewFile puts it in Go's poller, so that run waits
	// without a thread blocked in epoll_wait. (A blocking wait costs a
	// thread, and each return from it wakes the runtime's monitor thread,
	// which then polls for a millisecond or more: about 90 context
	// switches for every parked client that speaks.)
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, err
	}
	p := &loop{s: s, epfd: epfd, ep: os.NewFile(uintptr(epfd), "client-connections"), wake: wake,
		buf: make([]byte, readSize)}
	p.doIO = p.io.Do
	return p, nil
}

// onConn runs a read or write (trap) of b on c's descriptor through the
// loop's call, without the runtime's bookkeeping for a call that may
// block (rawsock): the loop's sockets are non-blocking, and that
// bookkeeping wakes the runtime's monitor thread, which then polls every
// 20 µs while the loop is busy (a fifth of its CPU, measured).
func (p *loop) onConn(c *conn, trap uintptr, b []byte) (int, error) {
	p.io = rawsock.Call{Trap: trap, B: b}
	err := c.raw.Control(p.doIO)
	if err == nil {
		err = p.io.Err
	}
	n := p.io.N
	p.io.B = nil
	return n, err
}

// parkable reports whether c can be served by the loop: plain TCP only.
func parkable(c *conn) bool {
	if c.rw != c.nc {
		return false
	}
	_, ok := c.nc.(syscall.Conn)
	return ok
}

// park hands c to the loop, with its idle deadline (zero: none); false if
// it cannot be parked, and its goroutine carries on.
func (p *loop) park(c *conn, deadline time.Time) bool {
	if c.raw == nil {
		rc, ok := rawsock.RawConn(c.nc)
		if !ok {
			return false
		}
		c.raw = rc
	}
	earliest := false
	var err error
	cerr := c.raw.Control(func(f uintptr) {
		// Inside Control the descriptor cannot be closed and reused, so
		// the registration is the connection's own. Level-triggered: a
		// read that leaves bytes behind is reported again.
		fd := int32(f)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.conns.set(fd, c)
		c.parked = &expiry{at: deadline, c: c, fd: fd, index: -1}
		if !deadline.IsZero() {
			heap.Push(&p.expiry, c.parked)
			earliest = p.expiry[0].c == c
		}
		ev := &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: fd}
		if err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), ev); err != nil {
			p.unpark(c)
		}
	})
	if cerr != nil || err != nil {
		return false
	}
	if earliest {
		p.poke()
	}
	return true
}

// poke wakes the loop to recompute its timeout.
func (p *loop) poke() {
	var one = [8]byte{1}
	_, _ = unix.Write(p.wake, one[:])
}

// run serves the parked connections until ctx ends; resume gives one a
// goroutine (serve). At the end it closes them.
func (p *loop) run(ctx context.Context, resume func(*conn)) {
	defer p.ep.Close()
	defer unix.Close(p.wake)
	stop := context.AfterFunc(ctx, p.poke)
	defer stop()
	fail := func(err error) {
		p.s.log.Error("client connections: epoll failed; they are closed", "err", err)
		p.closeAll()
	}
	rc, err := p.ep.SyscallConn()
	if err != nil {
		fail(err)
		return
	}
	events := make([]unix.EpollEvent, 64)
	var armed time.Time // the deadline set on ep
	var now time.Time   // when the batch came, near enough (see clockEvery)
	var batches int     // since now was read
	for ctx.Err() == nil {
		var deadline time.Time
		p.mu.Lock()
		if len(p.expiry) > 0 {
			deadline = p.expiry[0].at
		}
		p.mu.Unlock()
		if !deadline.Equal(armed) {
			_ = p.ep.SetReadDeadline(deadline)
			armed = deadline
		}
		var n, polls int
		var werr error
		err := rc.Read(func(fd uintptr) bool {
			polls++
			n, werr = pollNow(fd, events)
			return n > 0 || (werr != nil && !errors.Is(werr, unix.EINTR))
		})
		if err == nil {
			err = werr
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			fail(err)
			return
		}
		if batches++; polls > 1 || batches >= clockEvery || now.IsZero() {
			now, batches = time.Now(), 0
		}
		for _, ev := range events[:max(n, 0)] {
			if ev.Fd == int32(p.wake) {
				var b [8]byte
				_, _ = unix.Read(p.wake, b[:])
				continue
			}
			p.mu.Lock()
			c := p.conns.get(ev.Fd)
			p.mu.Unlock()
			if c != nil {
				p.serve(c, now, resume)
			}
		}
		p.expire(now)
	}
	p.closeAll()
}

// serve reads what c sent and answers it, on the loop's goroutine; now is
// when the batch of events came.
func (p *loop) serve(c *conn, now time.Time, resume func(*conn)) {
	// Control, not Read: it holds the descriptor open without looking at
	// the deadlines a goroutine may have left on the connection.
	n, err := p.onConn(c, unix.SYS_READ, p.buf)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
		return
	}
	if err != nil || n <= 0 { // gone, or closed under us
		p.leave(c)
		c.close()
		return
	}
	data := p.buf[:n]
	for {
		c.out = p.out[:0]
		f := c.feed(data, false, true)
		if f.lines {
			c.lastLine = now
			c.sentLine.Store(true)
		}
		if !p.write(c) {
			p.leave(c)
			c.close()
			return
		}
		switch {
		case f.stop && !f.held && len(c.out) == 0 && !c.closing:
			data = f.rest // stopped at flushAt, and all of it went out
			continue
		case f.stop || len(c.out) > 0:
			c.carry, c.held = bytes.Clone(f.rest), f.held
			p.leave(c)
			resume(c)
		case c.closing: // LOGOUT, answered
			p.leave(c)
			c.close()
		}
		return
	}
}

// write writes c's replies without waiting; what the socket does not take
// stays in c.out (a copy: the buffer is the loop's) for a goroutine to
// write with the write deadline. False when the client is gone.
func (p *loop) write(c *conn) bool {
	out := c.out
	c.out = nil
	if cap(out) <= 2*flushAt {
		p.out = out[:0]
	}
	if len(out) == 0 {
		return true
	}
	n, err := p.onConn(c, unix.SYS_WRITE, out)
	if err != nil && !errors.Is(err, unix.EAGAIN) {
		return false
	}
	if n = max(n, 0); n < len(out) {
		c.out = bytes.Clone(out[n:])
	}
	return true
}

// pollNow is epoll_wait with no timeout, likewise without the bookkeeping.
func pollNow(epfd uintptr, events []unix.EpollEvent) (int, error) {
	n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, epfd, uintptr(unsafe.Pointer(unsafe.SliceData(events))), uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// leave takes c out of the loop.
func (p *loop) leave(c *conn) {
	p.mu.Lock()
	p.unpark(c)
	p.mu.Unlock()
}

// expire closes the parked connections whose idle timeout has passed. A
// deadline in the heap may be older than the connection's: a line moves
// it (lastLine) without touching the heap, which is put right here.
func (p *loop) expire(now time.Time) {
	cfg := p.s.config()
	var due []*conn
	p.mu.Lock()
	for len(p.expiry) > 0 && !p.expiry[0].at.After(now) {
		e := p.expiry[0]
		switch end := e.c.idleEnd(cfg); {
		case end.IsZero(): // watching now
			heap.Pop(&p.expiry)
			e.index = -1
		case end.After(now):
			e.at = end
			heap.Fix(&p.expiry, 0)
		default:
			p.unpark(e.c)
			due = append(due, e.c)
		}
	}
	p.mu.Unlock()
	for _, c := range due {
		c.close()
	}
}

// unpark takes c out of the epoll set, the map and the heap; p.mu is
// held. The descriptor is taken out only while it is still c's (Control
// fails once it is closed, and the kernel has then dropped it itself).
func (p *loop) unpark(c *conn) {
	e := c.parked
	if e == nil {
		return
	}
	if p.conns.get(e.fd) == c {
		p.conns.set(e.fd, nil)
		_ = c.raw.Control(func(fd uintptr) {
			_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, int(fd), nil)
		})
	}
	if e.index >= 0 {
		heap.Remove(&p.expiry, e.index)
	}
	c.parked = nil
}

// closeAll closes every parked connection, at the end.
func (p *loop) closeAll() {
	p.mu.Lock()
	var conns []*conn
	for _, c := range p.conns.byFD {
		if c != nil {
			c.parked = nil
			conns = append(conns, c)
		}
	}
	p.conns = fdTable{}
	p.expiry = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// fdTable finds a parked connection by its descriptor. Descriptors are
// small and dense, so a slice indexed by them is found without hashing,
// once per request.
type fdTable struct {
	byFD []*conn
	n    int
}

func (t *fdTable) get(fd int32) *conn {
	if fd < 0 || int(fd) >= len(t.byFD) {
		return nil
	}
	return t.byFD[fd]
}

// set puts c (nil: none) at fd.
func (t *fdTable) set(fd int32, c *conn) {
	if int(fd) >= len(t.byFD) {
		if c == nil {
			return
		}
		t.byFD = append(t.byFD, make([]*conn, int(fd)+1-len(t.byFD))...)
	}
	switch old := t.byFD[fd]; {
	case old == nil && c != nil:
		t.n++
	case old != nil && c == nil:
		t.n--
	}
	t.byFD[fd] = c
}

// len is the number of connections in the table.
func (t *fdTable) len() int { return t.n }

// expiry is a parked connection's idle deadline.
type expiry struct {
	at    time.Time
	c     *conn
	fd    int32
	index int // in expiryHeap; -1 when not in it (no deadline)
}

// expiryHeap orders deadlines, earliest first (container/heap).
type expiryHeap []*expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *expiryHeap) Push(x any) {
	e := x.(*expiry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// isTimeout reports a read deadline that passed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
