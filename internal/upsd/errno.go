package upsd

import (
	"errors"
	"net"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/sysnut/sysnut/internal/rawsock"
)

// fdReserve is how many descriptors MAXCONN's default leaves for what is
// not a client: listeners, driver sockets, the journal, certificates.
const fdReserve = 64

// defaultMaxConn is MAXCONN when upsd.conf sets none. NUT's upsd uses the
// open-files limit; sysnut takes the same limit less fdReserve, so that
// MAXCONN's eviction admits a newcomer before accept runs out of
// descriptors (with no limit, a flood of idle connections left accept
// failing with EMFILE and new clients unanswered).
func defaultMaxConn() int {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &r); err != nil || r.Cur <= 2*fdReserve {
		return 1024 - fdReserve
	}
	return int(min(r.Cur, 1<<20)) - fdReserve
}

// transientAccept reports whether an accept error is a shortage that
// passes (descriptors, buffers, memory, a connection aborted before it
// was taken): the listener is still good and accepting again after a
// pause is right. Anything else means the listener is broken.
func transientAccept(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// hasInput reports whether bytes wait unread in a connection's socket
// (SIOCINQ): a monitor sends USERNAME, PASSWORD and LOGIN as it connects,
// often before its goroutine first reads, while a flood's idle
// connections send nothing. MAXCONN's eviction spares the former.
func hasInput(nc net.Conn) bool {
	rc, ok := rawsock.RawConn(nc)
	if !ok {
		return false
	}
	n := 0
	_ = rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	return n > 0
}
