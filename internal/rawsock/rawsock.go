// Package rawsock reads and writes sockets with system calls that skip the
// Go runtime's bookkeeping for a call that may block.
//
// A socket in Go's poller is non-blocking, so its read or write never
// blocks; but net.Conn makes them as calls that might, and entering such
// a call wakes the runtime's monitor thread from its deep sleep, after
// which it polls every 20 µs until every goroutine is idle again. A
// daemon that wakes once every few seconds to answer a monitor (upsd, and
// upsmon asking it) then spends most of its context switches on that
// thread rather than on its work. Waiting for the socket still goes
// through the poller (syscall.RawConn), so deadlines, Close and
// non-socket connections behave as with net.Conn.
package rawsock

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// IO is the read or write system call trap (unix.SYS_READ, SYS_WRITE) on
// the non-blocking descriptor fd, made without the bookkeeping.
func IO(trap, fd uintptr, b []byte) (int, error) {
	n, _, errno := unix.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// Conn is a net.Conn whose Read and Write are made with IO; everything
// else is the wrapped connection's.
type Conn struct {
	net.Conn
	rc syscall.RawConn

	rmu sync.Mutex // one Read at a time owns r
	r   call
	wmu sync.Mutex // one Write at a time owns w
	w   call
}

// Call is one read or write (Trap) of B on a descriptor, with its result.
// Its owner keeps it, and the method value bound to it, so that a call
// allocates nothing: a closure over a call's locals would escape through
// syscall.RawConn, three allocations a call.
type Call struct {
	Trap uintptr
	B    []byte
	N    int
	Err  error
}

// Do makes the call once, for syscall.RawConn's Control.
func (c *Call) Do(fd uintptr) { c.N, c.Err = IO(c.Trap, fd, c.B) }

// call is a Conn's Read or Write, for syscall.RawConn's Read and Write.
type call struct {
	Call
	noWait bool // a full socket is not waited for: EAGAIN is returned
	do     func(fd uintptr) bool
}

// run makes the call; false asks the poller to wait for the socket.
func (c *call) run(fd uintptr) bool {
	for {
		c.Do(fd)
		if c.Err != unix.EINTR {
			return c.Err != unix.EAGAIN || c.noWait
		}
	}
}

// RawConn returns c's descriptor in Go's poller; false when it has none
// (a pipe in tests, a TLS connection).
func RawConn(c net.Conn) (syscall.RawConn, bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, false
	}
	rc, err := sc.SyscallConn()
	return rc, err == nil
}

// Wrap returns c with raw reads and writes, or c itself when it has no
// descriptor.
func Wrap(c net.Conn) net.Conn {
	rc, ok := RawConn(c)
	if !ok {
		return c
	}
	w := &Conn{Conn: c, rc: rc}
	w.r.Trap = unix.SYS_READ
	w.r.do = w.r.run
	w.w.Trap = unix.SYS_WRITE
	w.w.do = w.w.run
	return w
}

// Read reads as net.Conn's Read does: io.EOF at the end of the stream.
func (c *Conn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	c.r.B = b
	err := c.rc.Read(c.r.do)
	n, cerr := c.r.N, c.r.Err
	c.r.B, c.r.Err = nil, nil
	switch {
	case err != nil: // the poller's: deadline, closed
		return 0, err
	case cerr != nil:
		return 0, opError(c, "read", cerr)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of b, waiting for room as net.Conn's Write does.
func (c *Conn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	defer func() { c.w.B, c.w.Err = nil, nil }()
	written := 0
	for written < len(b) {
		c.w.B = b[written:]
		if err := c.rc.Write(c.w.do); err != nil {
			return written, err
		}
		if c.w.Err != nil {
			return written, opError(c, "write", c.w.Err)
		}
		written += c.w.N
	}
	return written, nil
}

// WriteWithin writes all of b to c, giving up after timeout if the peer
// does not take it. A write deadline left on a connection is a timer that
// fires later for nothing, a wake-up of an otherwise idle daemon; setting
// and clearing one around every write is two timer updates. Where c has a
// socket (a Conn, or any syscall.Conn) the deadline is set only when the
// socket is full, which a few bytes to a reading peer never meet; the
// caller serialises its writes to c.
func WriteWithin(c net.Conn, b []byte, timeout time.Duration) (int, error) {
	n, err := writeNow(c, b)
	if err != nil || n == len(b) {
		return n, err
	}
	_ = c.SetWriteDeadline(time.Now().Add(timeout))
	m, err := c.Write(b[n:])
	_ = c.SetWriteDeadline(time.Time{})
	return n + m, err
}

// writeNow writes what c's socket takes of b without waiting; nothing
// where c has no socket to write to directly (TLS).
func writeNow(c net.Conn, b []byte) (int, error) {
	if rc, ok := c.(*Conn); ok {
		return rc.writeNow(b)
	}
	raw, ok := RawConn(c)
	if !ok {
		return 0, nil
	}
	// RawConn's Write, once: it holds the connection's write lock, and
	// fails as Write does on a closed connection.
	w := Call{Trap: unix.SYS_WRITE, B: b}
	if err := raw.Write(func(fd uintptr) bool { w.Do(fd); return true }); err != nil {
		return 0, err
	}
	return w.taken(c)
}

// taken is what a write that does not wait wrote: nothing, and no error,
// when the socket was full.
func (w *Call) taken(c net.Conn) (int, error) {
	switch w.Err {
	case nil:
		return w.N, nil
	case unix.EAGAIN, unix.EINTR:
		return 0, nil
	}
	return 0, opError(c, "write", w.Err)
}

// writeNow writes what the socket takes of b without waiting.
func (c *Conn) writeNow(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.w.B, c.w.noWait = b, true
	defer func() { c.w.B, c.w.Err, c.w.noWait = nil, nil, false }()
	if err := c.rc.Write(c.w.do); err != nil {
		return 0, err
	}
	return c.w.taken(c)
}

// opError is a failed system call as net's connections report it.
func opError(c net.Conn, op string, err error) error {
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError(op, err)}
}
