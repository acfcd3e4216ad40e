package genericups

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driversock"
	ml "github.com/sysnut/sysnut/internal/modemlines"
)

// Version is published as driver.version.internal.
const Version = "1.0-sysnut"

// Lines is what the driver needs of a serial port. modemlines.Port is the
// real one; tests use a fake, since pseudo-terminals have no modem lines.
type Lines interface {
	Get() (int, error)
	Set(bits int) error
	Break() error
	Wait(ctx context.Context, mask int, d time.Duration) error
	Close() error
}

// Opener opens the device.
type Opener func(dev string) (Lines, error)

// OpenPort opens a real serial port.
func OpenPort(dev string) (Lines, error) { return ml.Open(dev) }

// GenericUPS is the contact-closure protocol.
type GenericUPS struct {
	cable  Cable
	mfr    string
	serial string
	device string
	open   Opener
	sdtime time.Duration
	sleep  func(time.Duration)

	mu    sync.Mutex
	lines Lines
}

// New builds the protocol from a ups.conf section: upstype=N (or a
// powstatd=FILE configuration), then the CP/SD/OL/LB/RB/BYPASS overrides.
func New(p driver.Params) (driver.Protocol, error) {
	c, dev, err := ConfigureCable(p)
	if err != nil {
		return nil, err
	}
	sd, err := p.Int("sdtime", 0)
	if err != nil {
		return nil, err
	}
	g := &GenericUPS{cable: c, device: dev, open: OpenPort, sdtime: time.Duration(sd) * time.Second, sleep: time.Sleep, mfr: c.Mfr}
	if v, ok := p.Param("mfr"); ok {
		g.mfr = v
	}
	g.serial, _ = p.Param("serial")
	return g, nil
}

// NewWith builds the protocol on a custom opener, for tests.
func NewWith(c Cable, dev string, open Opener, sdtime time.Duration, sleep func(time.Duration)) *GenericUPS {
	return &GenericUPS{cable: c, device: dev, open: open, sdtime: sdtime, sleep: sleep, mfr: c.Mfr}
}

// ConfigureCable works out the wiring and device from a ups.conf section.
func ConfigureCable(p driver.Params) (Cable, string, error) {
	var c Cable
	dev, _ := p.Param("port")
	if file, ok := p.Param("powstatd"); ok {
		if !filepath.IsAbs(file) {
			file = filepath.Join(p.ConfDir, file)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return c, "", err
		}
		var watch string
		if c, watch, err = ParsePowstatd(file, data); err != nil {
			return c, "", err
		}
		if dev == "" || dev == "auto" {
			dev = watch
		}
	} else {
		t, ok := p.Param("upstype")
		if !ok {
			return c, "", fmt.Errorf("genericups needs upstype=0..%d (or powstatd=FILE)", len(Cables)-1)
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n >= len(Cables) {
			return c, "", fmt.Errorf("upstype %q: want 0..%d", t, len(Cables)-1)
		}
		c = Cables[n]
	}
	for _, key := range []string{"CP", "SD"} {
		if v, ok := p.Param(key); ok {
			bits, err := ParseOutputs(v)
			if err != nil {
				return c, "", fmt.Errorf("%s: %w", key, err)
			}
			if key == "CP" {
				c.CP = bits
			} else {
				c.SD, c.NoKillPower = bits, false
			}
		}
	}
	for key, dst := range map[string]*Input{"OL": &c.OL, "LB": &c.LB, "RB": &c.RB, "BYPASS": &c.Bypass} {
		if v, ok := p.Param(key); ok {
			in, err := ParseInputs(v)
			if err != nil {
				return c, "", fmt.Errorf("%s: %w", key, err)
			}
			*dst = in
		}
	}
	if v, ok := p.Param("model"); ok {
		c.Model = v
	}
	if dev == "" {
		return c, "", fmt.Errorf("no port")
	}
	return c, dev, nil
}

// Connect opens the port and powers the cable.
func (g *GenericUPS) Connect(ctx context.Context, s *driver.State) error {
	l, err := g.open(g.device)
	if err != nil {
		return fmt.Errorf("%s: %w", g.device, err)
	}
	if err := l.Set(g.cable.CP); err != nil {
		l.Close()
		return fmt.Errorf("%s: set cable power: %w", g.device, err)
	}
	g.mu.Lock()
	g.lines = l
	g.mu.Unlock()
	s.Update(func(v *driver.Vars) {
		v.Set("ups.mfr", g.mfr)
		v.Set("ups.model", g.cable.Model)
		if g.serial != "" {
			v.Set("ups.serial", g.serial)
		}
	})
	return nil
}

// Poll reads the lines and publishes the status.
func (g *GenericUPS) Poll(ctx context.Context, s *driver.State) error {
	g.mu.Lock()
	l := g.lines
	g.mu.Unlock()
	if l == nil {
		return fmt.Errorf("port not open")
	}
	bits, err := l.Get()
	if err != nil {
		return fmt.Errorf("%s: read modem lines: %w", g.device, err)
	}
	s.Update(func(v *driver.Vars) { v.Set("ups.status", g.cable.Status(bits)) })
	return nil
}

// Wait returns as soon as a watched line changes, so that a power failure
// reaches upsd without waiting for the next poll.
func (g *GenericUPS) Wait(ctx context.Context, d time.Duration) error {
	g.mu.Lock()
	l := g.lines
	g.mu.Unlock()
	if l == nil {
		return nil
	}
	return l.Wait(ctx, g.cable.watched(), d)
}

// Close releases the port.
func (g *GenericUPS) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.lines == nil {
		return nil
	}
	err := g.lines.Close()
	g.lines = nil
	return err
}

// SetVar: a contact-closure UPS has nothing to set.
func (g *GenericUPS) SetVar(context.Context, *driver.State, string, string) int {
	return driversock.StatusUnknown
}

// InstCmd: nor any command; killing power is only for the end of shutdown.
func (g *GenericUPS) InstCmd(context.Context, *driver.State, string, string) int {
	return driversock.StatusUnknown
}

// KillPower raises the cable's shutdown lines (or sends a break), then
// holds them for sdtime, as genericups -k does.
func (g *GenericUPS) KillPower(ctx context.Context) error {
	if g.cable.NoKillPower {
		return fmt.Errorf("%s: %w", g.cable.Desc, driver.ErrNoKillPower)
	}
	g.mu.Lock()
	l := g.lines
	g.mu.Unlock()
	if l == nil {
		return fmt.Errorf("port not open")
	}
	var err error
	if g.cable.SD == ml.ST {
		err = l.Break()
	} else {
		err = l.Set(g.cable.SD)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", g.device, err)
	}
	g.sleep(g.sdtime)
	return nil
}

// TestLines is powstatd -t: it prints the input and output lines and the
// status they mean on every change, acting on nothing, so that a cable's
// wiring can be found with a lamp on the UPS. It stops when ctx ends.
func TestLines(ctx context.Context, l Lines, c Cable, w io.Writer, safety time.Duration) error {
	fmt.Fprintln(w, "CTS DSR DCD RNG DTR RTS  STATUS")
	last := -1
	all := ml.CTS | ml.DSR | ml.DCD | ml.RNG
	for ctx.Err() == nil {
		bits, err := l.Get()
		if err != nil {
			return err
		}
		if bits != last {
			last = bits
			var row []string
			for _, b := range []int{ml.CTS, ml.DSR, ml.DCD, ml.RNG, ml.DTR, ml.RTS} {
				if bits&b != 0 {
					row = append(row, " 1 ")
				} else {
					row = append(row, " 0 ")
				}
			}
			fmt.Fprintf(w, "%s  %s\n", strings.Join(row, " "), c.Status(bits))
		}
		if err := l.Wait(ctx, all, safety); err != nil {
			return err
		}
	}
	return nil
}
