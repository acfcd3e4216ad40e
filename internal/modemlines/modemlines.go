// Package modemlines opens a serial port for its modem control lines only,
// as contact-closure UPSes need: read CTS/DCD/RNG/DSR, drive DTR/RTS, send
// a break, and wait for a line to change with TIOCMIWAIT. It is the thin
// layer over the ioctls; the logic that uses it is tested with a fake.
package modemlines

import (
	"context"
	"fmt"
	"os"
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
	f *os.File
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
	return &Port{f: f}, nil
}

// Get returns the modem line bits (TIOCMGET).
func (p *Port) Get() (int, error) { return unix.IoctlGetInt(int(p.f.Fd()), unix.TIOCMGET) }

// Set replaces the output lines (TIOCMSET).
func (p *Port) Set(bits int) error {
	return unix.IoctlSetPointerInt(int(p.f.Fd()), unix.TIOCMSET, bits)
}

// Break sends a break (tcsendbreak).
func (p *Port) Break() error { return unix.IoctlSetInt(int(p.f.Fd()), unix.TCSBRK, 0) }

// Wait returns when one of the lines in mask changes, or after d, or when
// ctx ends. TIOCMIWAIT blocks an OS thread, so it runs in a goroutine; the
// timeout doubles as the safety poll for drivers that lack TIOCMIWAIT.
func (p *Port) Wait(ctx context.Context, mask int, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- unix.IoctlSetInt(int(p.f.Fd()), unix.TIOCMIWAIT, mask) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			// Without TIOCMIWAIT (some USB adapters), fall back to polling.
			select {
			case <-ctx.Done():
			case <-t.C:
			}
		}
		return nil
	case <-t.C:
		return nil
	case <-ctx.Done():
		return nil
	}
}

// Close closes the port, which also wakes a pending TIOCMIWAIT.
func (p *Port) Close() error { return p.f.Close() }
