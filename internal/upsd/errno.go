package upsd

import (
	"errors"
	"net"
	"syscall"
)

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
