package megatec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.bug.st/serial"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
)

// Version is published as driver.version.internal.
const Version = "0.1-sysnut"

// Port is the part of a serial port the protocol uses; go.bug.st/serial's
// Port satisfies it, and tests use a pseudo-terminal through the same code.
type Port interface {
	io.ReadWriteCloser
	SetReadTimeout(time.Duration) error
	ResetInputBuffer() error
}

// Opener opens the device; the default opens a real serial port.
type Opener func(device string) (Port, error)

// OpenSerial opens a device at 2400 8N1 with DTR on and RTS off, the
// cable power of most Megatec UPSes (cablepower = normal).
func OpenSerial(device string) (Port, error) { return CablePower{DTR: true}.Open(device) }

// CablePower is which modem lines power the cable (ups.conf cablepower).
type CablePower struct{ DTR, RTS bool }

// CablePowers are NUT's cablepower values (blazer_ser.c, nutdrv_qx.c).
var CablePowers = map[string]CablePower{
	"normal": {DTR: true}, "reverse": {RTS: true}, "both": {DTR: true, RTS: true}, "none": {},
}

// Open opens a device at 2400 8N1 with these lines set. A device without
// modem lines (a pseudo-terminal) works without them.
func (c CablePower) Open(device string) (Port, error) {
	p, err := serial.Open(device, &serial.Mode{BaudRate: 2400, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, err
	}
	_ = p.SetDTR(c.DTR)
	_ = p.SetRTS(c.RTS)
	return p, nil
}

// Flavor is what differs between NUT's two drivers for Megatec UPSes, so
// that each ups.conf driver name publishes what NUT's driver of that name
// does.
type Flavor struct {
	// Identity names the variables the I reply fills (maker, model,
	// firmware).
	Identity [3]string
	// WritableDelays makes ups.delay.shutdown and ups.delay.start
	// writable within NUT's ranges (nutdrv_qx); blazer_ser publishes them
	// read-only.
	WritableDelays bool
	// PollFreq publishes driver.parameter.pollfreq (default 30), as
	// nutdrv_qx always does.
	PollFreq bool
	// OndelayMinutes: ups.conf's ondelay is in minutes (blazer_ser, default
	// 3), not seconds (nutdrv_qx, default 180).
	OndelayMinutes bool
	// ScaledBattery publishes battery.voltage multiplied by the detected
	// number of packs, as blazer_ser does; nutdrv_qx publishes the raw
	// reading.
	ScaledBattery bool
}

// Flavors by ups.conf driver name, from NUT 2.8.0's nutdrv_qx_megatec.c
// and blazer.c.
var Flavors = map[string]Flavor{
	"nutdrv_qx":  {Identity: [3]string{"device.mfr", "device.model", "ups.firmware"}, WritableDelays: true, PollFreq: true},
	"blazer_ser": {Identity: [3]string{"ups.mfr", "ups.model", "ups.firmware"}, OndelayMinutes: true, ScaledBattery: true},
}

// Megatec is the protocol.
type Megatec struct {
	device  string
	open    Opener
	timeout time.Duration // for one reply
	flavor  Flavor

	mu       sync.Mutex // serialises conversations with the UPS
	port     Port
	offdelay int // seconds
	ondelay  int // seconds
	battery  battery
	// ups.conf flags: skip F, skip I, -k with shutdown.stayoff, no FSD
	// from the "shutdown active" bit.
	norating, novendor, stayoff, ignoreSAB bool
}

// New builds the protocol from a ups.conf section.
func New(p driver.Params) (driver.Protocol, error) {
	dev, _ := p.Param("port")
	fl, ok := Flavors[p.UPS.Driver]
	if !ok {
		fl = Flavors["nutdrv_qx"]
	}
	off, err := p.Int("offdelay", 30)
	if err != nil {
		return nil, err
	}
	on, err := p.Int("ondelay", 180)
	if err != nil {
		return nil, err
	}
	if fl.OndelayMinutes {
		// blazer_ser: ondelay in minutes (0..9999), offdelay 12..600 s
		// rounded down to what the command can say, as blazer.c does.
		if on, err = p.Int("ondelay", 3); err != nil {
			return nil, err
		}
		if on < 0 || on > 9999 {
			return nil, fmt.Errorf("ondelay %d minutes is outside 0..9999", on)
		}
		if off < 12 || off > 600 {
			return nil, fmt.Errorf("offdelay %d s is outside 12..600", off)
		}
		on *= 60
		if off < 60 {
			off -= off % 6
		} else {
			off -= off % 60
		}
	}
	if _, err := ShutdownCommand(off, on); err != nil {
		return nil, err
	}
	if proto, ok := p.Param("protocol"); ok && proto != "megatec" {
		return nil, fmt.Errorf("protocol %q: sysnut speaks megatec (Q1) only", proto)
	}
	cable := CablePowers["normal"]
	if cp, ok := p.Param("cablepower"); ok {
		if cable, ok = CablePowers[strings.ToLower(cp)]; !ok {
			return nil, fmt.Errorf("cablepower %q: want normal, reverse, both or none", cp)
		}
	}
	return &Megatec{device: dev, open: cable.Open, timeout: time.Second, flavor: fl, offdelay: off, ondelay: on,
		battery: newBattery(p), norating: p.UPS.HasFlag("norating"), novendor: p.UPS.HasFlag("novendor"),
		stayoff: p.UPS.HasFlag("stayoff"), ignoreSAB: p.UPS.HasFlag("ignoresab")}, nil
}

// NewWith builds the protocol on a custom opener, for tests.
func NewWith(device string, open Opener, timeout time.Duration) *Megatec {
	return &Megatec{device: device, open: open, timeout: timeout, flavor: Flavors["nutdrv_qx"], offdelay: 30, ondelay: 180,
		battery: newBattery(driver.Params{})}
}

// commands maps NUT instant command names to their fixed Megatec strings.
var commands = map[string]string{
	"beeper.toggle":            "Q",
	"load.off":                 "S00R0000",
	"load.on":                  "C",
	"shutdown.stop":            "C",
	"test.battery.start.quick": "T",
	"test.battery.start.deep":  "TL",
	"test.battery.stop":        "CT",
}

// Connect opens the port, checks that a Megatec UPS answers Q1, and reads
// the ratings (F) and identity (I) where the UPS knows them.
func (m *Megatec) Connect(ctx context.Context, s *driver.State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, err := m.open(m.device)
	if err != nil {
		return fmt.Errorf("%s: %w", m.device, err)
	}
	m.port = p
	reply, err := m.askLocked("Q1")
	if err == nil {
		_, err = ParseQ1(reply)
	}
	if err != nil {
		m.closeLocked()
		return fmt.Errorf("%s: no Megatec UPS answers: %w", m.device, err)
	}
	rating, info := "", ""
	ferr, ierr := errSkipped, errSkipped
	if !m.norating {
		rating, ferr = m.askLocked("F")
	}
	if !m.novendor {
		info, ierr = m.askLocked("I")
	}
	q, _ := ParseQ1(reply)
	s.Update(func(v *driver.Vars) {
		if r, err := ParseF(rating); ferr == nil && err == nil {
			// NUT's formats: whole volts and hertz, tenths otherwise.
			v.Set("input.voltage.nominal", strconv.FormatFloat(r.Voltage, 'f', 0, 64))
			v.Set("input.current.nominal", ftoa(r.Current))
			v.Set("battery.voltage.nominal", ftoa(r.BatteryVoltage))
			v.Set("input.frequency.nominal", strconv.FormatFloat(r.Frequency, 'f', 0, 64))
			m.battery.init(v, r.BatteryVoltage, q.BatteryVoltage)
		}
		if i, err := ParseI(info); ierr == nil && err == nil {
			for n, val := range []string{i.Mfr, i.Model, i.Firmware} {
				v.Set(m.flavor.Identity[n], val)
			}
		}
		for name := range commands {
			v.AddCmd(name)
		}
		for _, c := range []string{"test.battery.start", "shutdown.return", "shutdown.stayoff"} {
			v.AddCmd(c)
		}
		// NUT's ranges (blazer_r_offdelay, blazer_r_ondelay).
		for name, d := range map[string]struct {
			val int
			r   state.Range
		}{"ups.delay.shutdown": {m.offdelay, state.Range{Min: 12, Max: 600}},
			"ups.delay.start": {m.ondelay, state.Range{Min: 0, Max: 599940}}} {
			v.Set(name, strconv.Itoa(d.val))
			if m.flavor.WritableDelays {
				v.SetFlags(name, state.RW)
				v.AddRange(name, d.r)
			}
		}
		if m.flavor.PollFreq && v.Get("driver.parameter.pollfreq") == nil {
			v.Set("driver.parameter.pollfreq", "30")
		}
	})
	return nil
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// Poll asks Q1 and publishes the measurements and status.
func (m *Megatec) Poll(ctx context.Context, s *driver.State) error {
	m.mu.Lock()
	reply, err := m.askLocked("Q1")
	m.mu.Unlock()
	if err != nil {
		return err
	}
	q, err := ParseQ1(reply)
	if err != nil {
		return err
	}
	s.Update(func(v *driver.Vars) {
		v.Set("input.voltage", ftoa(q.InputVoltage))
		v.Set("input.voltage.fault", ftoa(q.InputVoltageFault))
		v.Set("output.voltage", ftoa(q.OutputVoltage))
		v.Set("ups.load", strconv.FormatFloat(q.Load, 'f', 0, 64))
		v.Set("input.frequency", ftoa(q.InputFrequency))
		bv := q.BatteryVoltage
		if m.flavor.ScaledBattery {
			bv *= m.battery.packs
		}
		v.Set("battery.voltage", strconv.FormatFloat(bv, 'f', 2, 64))
		m.battery.charge(v, q.BatteryVoltage)
		v.Set("ups.temperature", ftoa(q.Temperature))
		st := q.Status()
		if m.ignoreSAB {
			// The "shutdown active" bit, which some UPSes set wrongly.
			st = driver.WithoutFlag(st, "FSD")
		}
		v.Set("ups.status", st)
		v.Set("ups.type", q.Type())
		v.Set("ups.beeper.status", q.Beeper())
		if q.bit(4) {
			v.Set("ups.alarm", "UPS failure")
		} else {
			v.Delete("ups.alarm")
		}
	})
	return nil
}

// errSkipped is a query ups.conf said not to make (norating, novendor).
var errSkipped = errors.New("skipped")

// errSilent is a UPS that did not answer within the timeout.
var errSilent = errors.New("no reply (UPS silent or cable unplugged)")

// askLocked sends cmd and reads one CR-terminated reply; m.mu is held.
func (m *Megatec) askLocked(cmd string) (string, error) {
	if m.port == nil {
		return "", errors.New("port not open")
	}
	_ = m.port.ResetInputBuffer()
	if _, err := m.port.Write([]byte(cmd + "\r")); err != nil {
		return "", fmt.Errorf("write %s: %w", cmd, err)
	}
	return m.readLocked(m.timeout)
}

// readLocked reads up to a CR, within d.
func (m *Megatec) readLocked(d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	var b []byte
	buf := make([]byte, 64)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			if len(b) > 0 {
				return "", fmt.Errorf("%w: truncated reply %q", ErrBadReply, b)
			}
			return "", errSilent
		}
		_ = m.port.SetReadTimeout(left)
		n, err := m.port.Read(buf)
		b = append(b, buf[:n]...)
		if i := bytes.IndexByte(b, '\r'); i >= 0 {
			return string(b[:i]), nil
		}
		if err != nil {
			return "", fmt.Errorf("read: %w", err)
		}
		if len(b) > 256 {
			return "", fmt.Errorf("%w: %d bytes without CR", ErrBadReply, len(b))
		}
	}
}

// Close releases the port.
func (m *Megatec) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closeLocked()
}

func (m *Megatec) closeLocked() error {
	if m.port == nil {
		return nil
	}
	err := m.port.Close()
	m.port = nil
	return err
}

// SetVar changes the delays used by shutdown.return and killpower.
func (m *Megatec) SetVar(_ context.Context, s *driver.State, name, value string) int {
	if !m.flavor.WritableDelays {
		return driversock.StatusUnknown
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return driversock.StatusInvalid
	}
	m.mu.Lock()
	off, on := m.offdelay, m.ondelay
	switch name {
	case "ups.delay.shutdown":
		off = n
	case "ups.delay.start":
		on = n
	default:
		m.mu.Unlock()
		return driversock.StatusUnknown
	}
	if _, err := ShutdownCommand(off, on); err != nil {
		m.mu.Unlock()
		return driversock.StatusInvalid
	}
	m.offdelay, m.ondelay = off, on
	m.mu.Unlock()
	s.Update(func(v *driver.Vars) { v.Set(name, value) })
	return driversock.StatusHandled
}

// InstCmd sends an instant command. A UPS that echoes a command back has
// rejected it; silence (or "ACK") means done.
func (m *Megatec) InstCmd(_ context.Context, _ *driver.State, name, param string) int {
	cmd, err := m.command(name, param)
	if err != nil {
		if errors.Is(err, errUnknownCommand) {
			return driversock.StatusUnknown
		}
		return driversock.StatusInvalid
	}
	if err := m.send(cmd); err != nil {
		return driversock.StatusFailed
	}
	return driversock.StatusHandled
}

var errUnknownCommand = errors.New("unknown command")

func (m *Megatec) command(name, param string) (string, error) {
	if c, ok := commands[name]; ok {
		return c, nil
	}
	m.mu.Lock()
	off, on := m.offdelay, m.ondelay
	m.mu.Unlock()
	switch name {
	case "test.battery.start":
		mins, err := strconv.Atoi(param)
		if err != nil || mins < 1 || mins > 99 {
			return "", fmt.Errorf("test.battery.start takes 1..99 minutes, got %q", param)
		}
		return fmt.Sprintf("T%02d", mins), nil
	case "shutdown.return":
		return ShutdownCommand(off, on)
	case "shutdown.stayoff":
		return ShutdownCommand(off, 0)
	}
	return "", errUnknownCommand
}

// send writes a command and interprets the answer.
func (m *Megatec) send(cmd string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.port == nil {
		return errors.New("port not open")
	}
	_ = m.port.ResetInputBuffer()
	if _, err := m.port.Write([]byte(cmd + "\r")); err != nil {
		return err
	}
	reply, err := m.readLocked(m.timeout / 2)
	if errors.Is(err, errSilent) {
		return nil
	}
	if err != nil {
		return err
	}
	if reply == cmd {
		return fmt.Errorf("UPS rejected %s", cmd)
	}
	return nil
}

// KillPower tells the UPS to cut its output after ups.delay.shutdown and
// return after ups.delay.start, for the end of a system shutdown.
func (m *Megatec) KillPower(ctx context.Context) error {
	m.mu.Lock()
	on := m.ondelay
	if m.stayoff {
		on = 0 // nutdrv_qx's stayoff: shutdown.stayoff instead of shutdown.return
	}
	cmd, err := ShutdownCommand(m.offdelay, on)
	m.mu.Unlock()
	if err != nil {
		return err
	}
	if err := m.send(cmd); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	return nil
}

// String names the device, for logs.
func (m *Megatec) String() string { return "megatec on " + strings.TrimSpace(m.device) }
