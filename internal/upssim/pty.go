// Package upssim simulates UPS hardware for tests: a Megatec/Q1 UPS on the
// master side of a real pseudo-terminal, so that the driver under test
// opens a serial device and speaks the byte protocol for real.
package upssim

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// OpenPTY returns a new pseudo-terminal's master and the path of its
// slave, which a driver opens like a serial port.
func OpenPTY() (*os.File, string, error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, "", fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(fd)
		return nil, "", fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(fd)
		return nil, "", fmt.Errorf("pty number: %w", err)
	}
	// Raw mode on the master side too, so that CRs pass untouched.
	if t, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
		t.Iflag &^= unix.ICRNL | unix.INLCR | unix.IGNCR | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
		_ = unix.IoctlSetTermios(fd, unix.TCSETS, t)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), fmt.Sprintf("/dev/pts/%d", n), nil
}
