package upsd

import (
	"container/heap"
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// parker holds idle client connections without a goroutine each. A plain
// TCP connection that has been quiet for ParkAfter, between two lines,
// ends its goroutine and waits in one epoll set shared by all of them; a
// byte from the client starts a goroutine for it again, and its idle
// timeout is kept here. A parked connection costs its socket and its conn,
// not a goroutine's stack and read buffer, so thousands of idle monitors
// (or a flood of idle connections) cost little memory.
type parker struct {
	s    *Server
	epfd int      // the set of parked connections
	ep   *os.File // epfd in Go's poller: run waits on it like on a socket
	wake int      // eventfd: a new earlier deadline, or the end

	mu     sync.Mutex
	conns  map[int32]*conn // parked, by descriptor
	expiry expiryHeap
}

func newParker(s *Server) (*parker, error) {
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
	return &parker{s: s, epfd: epfd, ep: os.NewFile(uintptr(epfd), "parked-connections"), wake: wake, conns: map[int32]*conn{}}, nil
}

// parkable reports whether c can wait in the epoll set: plain TCP only
// (a TLS connection's state lives in its goroutine's tls.Conn).
func parkable(c *conn) bool {
	if c.rw != c.nc {
		return false
	}
	_, ok := c.nc.(syscall.Conn)
	return ok
}

// park hands c over until it is readable or deadline (its idle timeout;
// zero: none) passes; false if it cannot be parked, and its goroutine
// carries on.
func (p *parker) park(c *conn, deadline time.Time) bool {
	rc, err := c.nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return false
	}
	earliest := false
	cerr := rc.Control(func(f uintptr) {
		// Inside Control the descriptor cannot be closed and reused, so
		// the registration is the connection's own.
		fd := int32(f)
		p.mu.Lock()
		p.conns[fd] = c
		c.parked = &expiry{at: deadline, c: c, fd: fd, index: -1}
		if !deadline.IsZero() {
			heap.Push(&p.expiry, c.parked)
			earliest = p.expiry[0].c == c
		}
		p.mu.Unlock()
		ev := &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: fd}
		err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, int(fd), ev)
		if errors.Is(err, unix.ENOENT) {
			err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), ev)
		}
		if err != nil {
			p.mu.Lock()
			p.unpark(c)
			p.mu.Unlock()
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
func (p *parker) poke() {
	var one = [8]byte{1}
	_, _ = unix.Write(p.wake, one[:])
}

// run waits for parked connections until ctx ends: a readable one gets a
// goroutine again (resume), one past its idle timeout is closed.
func (p *parker) run(ctx context.Context, resume func(*conn)) {
	defer p.ep.Close()
	defer unix.Close(p.wake)
	stop := context.AfterFunc(ctx, p.poke)
	defer stop()
	fail := func(err error) {
		p.s.log.Error("idle connections: epoll failed; they are closed", "err", err)
		p.closeAll()
	}
	rc, err := p.ep.SyscallConn()
	if err != nil {
		fail(err)
		return
	}
	events := make([]unix.EpollEvent, 64)
	for ctx.Err() == nil {
		var deadline time.Time
		p.mu.Lock()
		if len(p.expiry) > 0 {
			deadline = p.expiry[0].at
		}
		p.mu.Unlock()
		_ = p.ep.SetReadDeadline(deadline)
		var n int
		var werr error
		err := rc.Read(func(fd uintptr) bool {
			n, werr = unix.EpollWait(int(fd), events, 0)
			return n > 0 || (werr != nil && !errors.Is(werr, unix.EINTR))
		})
		if err == nil {
			err = werr
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			fail(err)
			return
		}
		for _, ev := range events[:max(n, 0)] {
			if ev.Fd == int32(p.wake) {
				var b [8]byte
				_, _ = unix.Read(p.wake, b[:])
				continue
			}
			p.mu.Lock()
			c := p.conns[ev.Fd]
			if c != nil {
				p.unpark(c)
			}
			p.mu.Unlock()
			if c != nil {
				resume(c)
			}
		}
		p.expire(time.Now())
	}
	p.closeAll()
}

// expire closes the parked connections whose idle timeout has passed.
func (p *parker) expire(now time.Time) {
	var due []*conn
	p.mu.Lock()
	for len(p.expiry) > 0 && !p.expiry[0].at.After(now) {
		c := p.expiry[0].c
		p.unpark(c)
		due = append(due, c)
	}
	p.mu.Unlock()
	for _, c := range due {
		c.close()
	}
}

// unpark takes c out of the set and its deadline out of the heap; p.mu
// is held.
func (p *parker) unpark(c *conn) {
	if e := c.parked; e != nil {
		if p.conns[e.fd] == c {
			delete(p.conns, e.fd)
		}
		if e.index >= 0 {
			heap.Remove(&p.expiry, e.index)
		}
		c.parked = nil
	}
}

// closeAll closes every parked connection, at the end.
func (p *parker) closeAll() {
	p.mu.Lock()
	conns := p.conns
	for _, c := range conns {
		c.parked = nil
	}
	p.conns = map[int32]*conn{}
	p.expiry = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

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
