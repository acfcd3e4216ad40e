package dummy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/state"
)

// Version is published as driver.version.internal.
const Version = "0.15-sysnut"

// Modes of dummy-ups.
const (
	ModeOnce     = "dummy-once"
	ModeLoop     = "dummy-loop"
	ModeRepeater = "repeater"
)

// Dummy is the dummy-ups protocol.
type Dummy struct {
	mode string
	path string // data file
	ups  string // repeater: UPS on the remote upsd
	addr string // repeater: host:port

	now func() time.Time

	mu      sync.Mutex
	mtime   time.Time
	entries []Entry
	pos     int
	until   time.Time // loop mode: paused by TIMER until then
	client  *nutclient.Client
	known   map[string]bool // variables set from the file or the remote
	watch   *fileWatch      // nil until the first Wait, or if inotify fails
}

// New builds the protocol from a ups.conf section.
func New(p driver.Params) (driver.Protocol, error) {
	port, _ := p.Param("port")
	d := &Dummy{now: time.Now, known: map[string]bool{}}
	mode, _ := p.Param("mode")
	switch {
	case mode == ModeRepeater || (mode == "" && strings.Contains(port, "@")):
		ups, addr, err := nutclient.SplitName(port)
		if err != nil {
			return nil, fmt.Errorf("port %q: repeater needs ups@host[:port]", port)
		}
		d.mode, d.ups, d.addr = ModeRepeater, ups, addr
		return d, nil
	case mode == ModeOnce || mode == ModeLoop:
		d.mode = mode
	case mode != "":
		return nil, fmt.Errorf("mode %q: want %s, %s or %s", mode, ModeOnce, ModeLoop, ModeRepeater)
	case strings.HasSuffix(port, ".seq"):
		d.mode = ModeLoop
	default:
		d.mode = ModeOnce
	}
	d.path = port
	if !filepath.IsAbs(port) {
		d.path = filepath.Join(p.ConfDir, port)
	}
	return d, nil
}

// Connect publishes dummy-ups's defaults and reads the file or the remote.
func (d *Dummy) Connect(ctx context.Context, s *driver.State) error {
	s.Update(func(v *driver.Vars) {
		v.Set("driver.parameter.mode", d.mode)
		if d.mode != ModeRepeater {
			for name, val := range map[string]string{"ups.mfr": "Dummy Manufacturer", "ups.model": "Dummy UPS", "ups.status": "OL"} {
				if v.Get(name) == nil {
					set(v, name, val)
				}
			}
			v.AddCmd("load.off")
		}
	})
	if d.mode == ModeRepeater {
		c, err := nutclient.Dial(ctx, d.addr)
		if err != nil {
			return err
		}
		d.mu.Lock()
		d.client = c
		d.mu.Unlock()
		return nil
	}
	d.mu.Lock()
	d.mtime = time.Time{}
	d.mu.Unlock()
	return d.reload(s)
}

// set publishes a value with the flags and length NUT's dummy-ups gives
// it (nutData).
func set(v *driver.Vars, name, value string) {
	v.Set(name, value)
	i := infoOf(name)
	v.SetFlags(name, i.flags)
	if i.flags&state.String != 0 {
		v.SetAux(name, i.aux)
	}
}

// reload re-reads the file when it changed since the last read.
func (d *Dummy) reload(s *driver.State) error {
	st, err := os.Stat(d.path)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if st.ModTime().Equal(d.mtime) {
		return nil
	}
	data, err := os.ReadFile(d.path)
	if err != nil {
		return err
	}
	entries, err := Parse(d.path, data)
	if err != nil {
		return err
	}
	d.mtime, d.entries, d.pos, d.until = st.ModTime(), entries, 0, time.Time{}
	if d.mode == ModeOnce {
		d.applyLocked(s, len(entries))
	}
	return nil
}

// applyLocked plays entries from d.pos, at most n of them, stopping after
// a TIMER; d.mu is held.
func (d *Dummy) applyLocked(s *driver.State, n int) {
	s.Update(func(v *driver.Vars) {
		for i := 0; i < n && d.pos < len(d.entries); i++ {
			e := d.entries[d.pos]
			d.pos++
			if e.Timer > 0 {
				if d.mode == ModeLoop {
					d.until = d.now().Add(e.Timer)
					return
				}
				continue
			}
			if e.Value == "" {
				v.Delete(e.Var)
				continue
			}
			set(v, e.Var, e.Value)
		}
	})
}

// Poll re-reads a changed .dev file, plays a .seq file up to its next
// TIMER, or copies the remote UPS.
func (d *Dummy) Poll(ctx context.Context, s *driver.State) error {
	switch d.mode {
	case ModeRepeater:
		return d.repeat(s)
	case ModeOnce:
		return d.reload(s)
	}
	if err := d.reload(s); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.now().Before(d.until) {
		return nil
	}
	if d.pos >= len(d.entries) {
		d.pos = 0
	}
	d.applyLocked(s, len(d.entries))
	return nil
}

// Wait returns as soon as the data file is written or replaced (inotify),
// so that a change reaches upsd at once, as a real UPS's event would; and
// at the end of a TIMER rather than at the next poll. A file read once
// (dummy-once, a .dev) is not read again until it changes: while the
// watch works an idle driver does not wake at all. The poll interval
// paces a sequence (dummy-loop) and a repeater, and a file whose
// directory cannot be watched.
func (d *Dummy) Wait(ctx context.Context, max time.Duration) error {
	d.mu.Lock()
	wait := max
	if d.mode == ModeLoop {
		if left := d.until.Sub(d.now()); left > 0 && left < wait {
			wait = left
		}
	}
	if d.watch == nil && d.mode != ModeRepeater {
		if w, err := watchFile(d.path); err == nil {
			d.watch = w
		}
	}
	w := d.watch
	d.mu.Unlock()
	if w != nil {
		deadline := time.Now().Add(wait)
		if d.mode == ModeOnce {
			deadline = time.Time{} // none
		}
		if w.wait(ctx, deadline) {
			// Read it again whatever its mtime says: two writes within
			// one tick of the file system's clock keep the same mtime.
			d.mu.Lock()
			d.mtime = time.Time{}
			d.mu.Unlock()
		}
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return nil
}

// repeat copies every variable of the remote UPS.
func (d *Dummy) repeat(s *driver.State) error {
	d.mu.Lock()
	c := d.client
	d.mu.Unlock()
	if c == nil {
		return fmt.Errorf("not connected to %s", d.addr)
	}
	vars, err := c.Vars(d.ups)
	if err != nil {
		return fmt.Errorf("%s@%s: %w", d.ups, d.addr, err)
	}
	seen := map[string]bool{}
	s.Update(func(v *driver.Vars) {
		for _, rv := range vars {
			if strings.HasPrefix(rv.Name, "driver.") {
				continue
			}
			seen[rv.Name] = true
			v.Set(rv.Name, rv.Value)
		}
		for name := range d.known {
			if !seen[name] {
				v.Delete(name)
			}
		}
	})
	d.known = seen
	return nil
}

// Close drops the repeater's connection and the file watch.
func (d *Dummy) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.client != nil {
		d.client.Close()
		d.client = nil
	}
	if d.watch != nil {
		d.watch.close()
		d.watch = nil
	}
	return nil
}

// SetVar changes a simulated value locally, as NUT's dummy-ups does.
func (d *Dummy) SetVar(_ context.Context, s *driver.State, name, value string) int {
	if d.mode == ModeRepeater {
		return driversock.StatusInvalid
	}
	if _, ok := s.Get(name); !ok {
		return driversock.StatusUnknown
	}
	s.Update(func(v *driver.Vars) { v.Set(name, value) })
	return driversock.StatusHandled
}

// InstCmd answers "unknown": a simulation has nothing to act on.
func (d *Dummy) InstCmd(context.Context, *driver.State, string, string) int {
	return driversock.StatusUnknown
}
