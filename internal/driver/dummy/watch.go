package dummy

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// fileWatch tells when a data file is written or replaced (inotify on its
// directory, so that an editor's or a script's rename is seen too), so
// that a change reaches upsd at once instead of at the next poll.
type fileWatch struct {
	f    *os.File // the inotify descriptor, non-blocking: Go's poller waits on it
	name string
}

// watchFile starts watching path.
func watchFile(path string) (*fileWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	// Written and closed, moved into place, or touched; not every write,
	// which would wake the driver halfway through a file.
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_ATTRIB); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &fileWatch{f: os.NewFile(uintptr(fd), "inotify"), name: filepath.Base(path)}, nil
}

// wait returns true when the file changed before deadline, false at the
// deadline, when ctx ends or if the watch fails.
func (w *fileWatch) wait(ctx context.Context, deadline time.Time) bool {
	_ = w.f.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = w.f.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 4096)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return false
		}
		// struct inotify_event: wd, mask, cookie, len (4 bytes each), name.
		for off := 0; off+16 <= n; {
			l := int(binary.NativeEndian.Uint32(buf[off+12:]))
			end := min(off+16+l, n)
			if strings.TrimRight(string(buf[off+16:end]), "\x00") == w.name {
				return true
			}
			off = end
		}
	}
}

// close stops watching.
func (w *fileWatch) close() error { return w.f.Close() }
