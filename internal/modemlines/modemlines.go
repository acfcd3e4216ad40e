// Package modemlines opens a serial port for its modem control lines only,
// as contact-closure UPSes need: read CTS/DCD/RNG/DSR, drive DTR/RTS, send
// a break, and wait for a line to change with TIOCMIWAIT. It is the thin
// layer over the ioctls; the logic that uses it is tested with a fake.
package modemlines

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Linux TIOCM_* bits, re-exported so that callers need not import unix.
const (
	DTR = unix.TIOCM_DTR
	RTS = unix.TIOCM_RTS
	ST  = unix.TIOCM_ST // not a line: genericups's name for "send a break"
	CTS = unix.TIOCM_CTS
	DCD = unix.TIOCM_CD
	RNG = unix.TIOCM_RNG
	DSR = unix.TIOCM_DSR
)

// Port is an open serial device.
type Port struct {
	f  *os.File
	fd int

	once    sync.Once
	closed  atomic.Bool
	changed chan struct{} // a line changed since the last Wait took it
}

// Open opens dev without making it the controlling terminal and clears
// HUPCL, so that closing the port does not drop DTR and kill the UPS.
func Open(dev string) (*Port, error) {
	f, err := os.OpenFile(dev, os.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a serial port: %w", dev, err)
	}
	t.Cflag &^= unix.HUPCL
	t.Cflag |= unix.CLOCAL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", dev, err)
	}
	return &Port{f: f, fd: fd, changed: make(chan struct{}, 1)}, nil
}

// Get returns the modem line bits (TIOCMGET).
func (p *Port) Get() (int, error) { return unix.IoctlGetInt(p.fd, unix.TIOCMGET) }

// Set replaces the output lines (TIOCMSET).
func (p *Port) Set(bits int) error {
	return unix.IoctlSetPointerInt(p.fd, unix.TIOCMSET, bits)
}

// Break sends a break (tcsendbreak).
func (p *Port) Break() error { return unix.IoctlSetInt(p.fd, unix.TCSBRK, 0) }

// inputs are the lines TIOCMIWAIT can wait for.
const inputs = CTS | DCD | RNG | DSR

// Wait returns when one of the input lines changes, or after d, or when
// ctx ends; mask only documents what the caller looks at, since any
// change wakes it (callers read the lines again anyway). A timeout is
// also the safety poll for ports that lack TIOCMIWAIT (some USB adapters).
//
// TIOCMIWAIT blocks an OS thread and cannot be interrupted, so one
// watcher per port waits in it for the port's whole life, and Wait only
// listens to that watcher: a quiet line costs one thread, however often
// Wait times out.
func (p *Port) Wait(ctx context.Context, mask int, d time.Duration) error {
	p.once.Do(func() {
		// The watcher waits on its own descriptor and closes it itself,
		// so that it never touches a number Close freed and the system
		// gave to another file.
		fd, err := unix.FcntlInt(uintptr(p.fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return // Wait then polls with its timeout
		}
		go p.watch(fd)
	})
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.changed:
	case <-t.C:
	case <-ctx.Done():
	}
	return nil
}

// watch waits in TIOCMIWAIT until the port fails or is closed, passing
// each change on. It ends at the first error: on a closed or unplugged
// port (EIO, EBADF), or where the ioctl is unsupported (a pseudo-terminal).
func (p *Port) watch(fd int) {
	defer unix.Close(fd)
	for !p.closed.Load() {
		if err := unix.IoctlSetInt(fd, unix.TIOCMIWAIT, inputs); err != nil {
			return // Wait then polls with its timeout
		}
		select {
		case p.changed <- struct{}{}:
		default:
		}
	}
}

// Close closes the port. A watcher blocked in TIOCMIWAIT on a line that
// never changes stays blocked until the next change or hangup (the kernel
// offers no way to wake it); it holds one thread, never more, and then
// closes its descriptor.
func (p *Port) Close() error {
	p.closed.Store(true)
	return p.f.Close()
}
