package usbhid

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/hid"
	"github.com/sysnut/sysnut/internal/hidraw"
	"github.com/sysnut/sysnut/internal/state"
)

// Version is driver.version.internal.
const Version = "0.49-sysnut"

// Subdrivers are the mappings sysnut has, in the order they claim a
// device (NUT's subdriver_list).
var Subdrivers = []*Subdriver{MGE, APC, Arduino, Belkin, CyberPower, DeltaUPS, EcoFlow, Ever, IDowell, Legrand, Liebert, OpenUPS, PowerCOM, Powervar, Salicru, TrippLite}

// Conn is a UPS's HID interface: a hidraw node, or a recorded device.
type Conn interface {
	Descriptor() ([]byte, error)
	GetFeature(id uint8, n int) ([]byte, error)
	SetFeature(report []byte) error
	Close() error
}

// Interrupter is a Conn that delivers input reports (the interrupt
// pipe); nil, nil when none came within the timeout.
type Interrupter interface {
	ReadInput(timeout time.Duration) ([]byte, error)
}

// Protocol is usbhid-ups.
type Protocol struct {
	port            string
	confDir         string
	match           map[string]*regexp.Regexp // vendorid, productid, vendor, product, serial, bus, device, busport
	subName         *regexp.Regexp
	pollfreq        time.Duration
	opts            map[string]string // offdelay, ondelay, lowbatt
	onlineDischarge bool
	// onlinedischarge_calibration, and pollonly (no interrupt reports).
	onlineCalibration, pollOnly bool
	interruptOnly               bool
	explore                     bool // NUT's explore subdriver (ExploreHID)
	// lbrbDelay is lbrb_log_delay_sec; lbrbSet says ups.conf gave it.
	lbrbDelay                 time.Duration
	lbrbSet, lbrbWithoutCalib bool
	dial                      func() (Conn, *Device, error) // instead of open, for simulators
	root                      string                        // where sysfs and /dev are: "/" but in tests

	mu       sync.Mutex
	conn     Conn
	eng      *Engine
	lastFull time.Time
	// quirkPollOnly: the device table says this product polls only.
	quirkPollOnly bool
	pending       [][]byte // input reports not applied yet
}

// New builds the protocol from a ups.conf section.
func New(p driver.Params) (driver.Protocol, error) {
	u := &Protocol{match: map[string]*regexp.Regexp{}, opts: map[string]string{}, confDir: p.ConfDir,
		onlineDischarge: p.UPS.HasFlag("onlinedischarge") || p.UPS.HasFlag("onlinedischarge_onbattery")}
	u.port, _ = p.Param("port")
	u.onlineCalibration = p.UPS.HasFlag("onlinedischarge_calibration")
	u.pollOnly = p.UPS.HasFlag("pollonly")
	u.interruptOnly = p.UPS.HasFlag("interruptonly")
	u.explore = p.UPS.HasFlag("explore")
	u.lbrbWithoutCalib = p.UPS.HasFlag("lbrb_log_delay_without_calibrating")
	if v, ok := p.Param("lbrb_log_delay_sec"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, driver.BadParam("lbrb_log_delay_sec", fmt.Errorf("lbrb_log_delay_sec = %q: want a number of seconds", v))
		}
		u.lbrbDelay, u.lbrbSet = time.Duration(n)*time.Second, true
	}
	for _, k := range []string{"vendorid", "productid", "vendor", "product", "serial", "bus", "device", "busport"} {
		if v, ok := p.Param(k); ok {
			// NUT's regular expressions: extended, case-insensitive, and
			// the whole string must match.
			re, err := regexp.Compile("^(?i:" + v + ")$")
			if err != nil {
				return nil, driver.BadParam(k, fmt.Errorf("%s = %q: %v", k, v, err))
			}
			u.match[k] = re
		}
	}
	if _, ok := p.Param("vendorid"); u.explore && !ok {
		// As NUT: explore takes any device, so vendorid must say which.
		return nil, driver.BadParam("explore", errors.New("explore needs vendorid: it takes any device of that vendor"))
	}
	if v, ok := p.Param("subdriver"); ok {
		re, err := regexp.Compile("(?i)" + v)
		if err != nil {
			return nil, driver.BadParam("subdriver", fmt.Errorf("subdriver = %q: %v", v, err))
		}
		u.subName = re
	}
	if n, err := p.Int("pollfreq", 30); err != nil || n <= 0 {
		return nil, driver.BadParam("pollfreq", fmt.Errorf("pollfreq: want a positive number of seconds"))
	} else {
		u.pollfreq = time.Duration(n) * time.Second
	}
	for _, k := range []string{"offdelay", "ondelay", "lowbatt"} {
		if v, ok := p.Param(k); ok {
			if _, err := strconv.Atoi(v); err != nil {
				return nil, driver.BadParam(k, fmt.Errorf("%s = %q: not a number", k, v))
			}
			u.opts[k] = v
		}
	}
	if u.port == "" {
		u.port = "auto"
	}
	return u, nil
}

// NewWithConn is New with the device given by dial instead of found by
// ups.conf's port (a simulator, a virtual UPS).
func NewWithConn(p driver.Params, dial func() (Conn, *Device, error)) (*Protocol, error) {
	d, err := New(p)
	if err != nil {
		return nil, err
	}
	u := d.(*Protocol)
	u.dial = dial
	return u, nil
}

// open finds the device the section names: a recorded NUT log (a file),
// a hidraw node, or (auto) the first UPS node that matches.
func (u *Protocol) open() (Conn, *Device, error) {
	if u.dial != nil {
		return u.dial()
	}
	if u.port != "auto" && !strings.HasPrefix(u.port, "/dev/") {
		path := u.port
		if !filepath.IsAbs(path) {
			path = filepath.Join(u.confDir, path)
		}
		return OpenReplay(path)
	}
	root := u.root
	if root == "" {
		root = "/"
	}
	nodes, err := hidraw.Nodes(root)
	if err != nil {
		return nil, nil, err
	}
	var seen []string
	for _, n := range nodes {
		if u.port != "auto" && n.Path != u.port {
			continue
		}
		seen = append(seen, fmt.Sprintf("%s (%04x:%04x %s %s)", n.Path, n.VendorID, n.ProductID, n.Manufacturer, n.Product))
		if !u.matches(n) {
			continue
		}
		d, err := hidraw.Open(n.Path)
		if err != nil {
			return nil, nil, err
		}
		dev := &Device{VendorID: n.VendorID, ProductID: n.ProductID, Vendor: n.Manufacturer, Product: n.Product, Serial: n.Serial}
		if n.Hiddev != "" {
			dev.String = hiddevStrings(n.Hiddev)
		}
		return rawConn{d}, dev, nil
	}
	if len(seen) == 0 {
		return nil, nil, errors.New("no USB HID device (no hidraw node with a USB device above it)")
	}
	return nil, nil, fmt.Errorf("no USB HID device matches ups.conf (seen: %s)", strings.Join(seen, "; "))
}

// hiddevStrings reads string descriptors through the UPS's hiddev node:
// one the device does not give is empty (as NUT reads it); a node that
// cannot be opened (a sandbox without it) reads nothing, and the
// variables are left out.
func hiddevStrings(node string) func(int) (string, bool) {
	return func(i int) (string, bool) {
		s, err := hidraw.ReadString(node, i)
		switch {
		case errors.Is(err, hidraw.ErrNoString):
			return "", true
		case err != nil:
			return "", false
		}
		return s, true
	}
}

// matches applies vendorid, productid, vendor, product, serial, bus,
// device and busport (NUT 2.8.1) as NUT's regex matcher does.
func (u *Protocol) matches(n hidraw.Node) bool {
	for k, val := range map[string]string{"vendorid": fmt.Sprintf("%04x", n.VendorID), "productid": fmt.Sprintf("%04x", n.ProductID),
		"vendor": n.Manufacturer, "product": n.Product, "serial": n.Serial, "bus": n.Bus, "device": n.Device,
		"busport": n.BusPort} {
		if re := u.match[k]; re != nil && !re.MatchString(val) {
			return false
		}
	}
	if u.match["vendorid"] == nil {
		// Without a vendorid, only a vendor a subdriver claims: port =
		// auto must never take a keyboard for a UPS.
		for _, s := range Subdrivers {
			if s.Claims(&Device{VendorID: n.VendorID, ProductID: n.ProductID, Vendor: n.Manufacturer, Product: n.Product}, u.match["productid"] != nil) {
				return true
			}
		}
		return false
	}
	return true
}

// subdriver picks the mapping: the one ups.conf names (subdriver =,
// the generic one included), else the explore subdriver when ups.conf
// asks for it (NUT lists it first), else the vendor's, else the generic
// one when vendorid named the UPS.
func (u *Protocol) subdriver(d *Device) (*Subdriver, error) {
	if u.subName != nil {
		for _, s := range append(Subdrivers[:len(Subdrivers):len(Subdrivers)], Generic) {
			if u.subName.MatchString(s.Name) {
				return s, nil
			}
		}
		return nil, fmt.Errorf("subdriver = %s matches none of: %s, %s", u.subName, names(), Generic.Name)
	}
	if u.explore {
		return ExploreHID, nil
	}
	if s := Claiming(d, u.match["productid"] != nil); s != nil {
		return s, nil
	}
	if u.match["vendorid"] != nil {
		return Generic, nil
	}
	return nil, fmt.Errorf("no sysnut subdriver for vendor %04x (%s) yet (sysnut has: %s); subdriver = generic reads the standard usages", d.VendorID, d.Vendor, names())
}

// Claiming is the first subdriver, in NUT's order, that claims the
// device (productid: ups.conf gives productid), or nil.
func Claiming(d *Device, productid bool) *Subdriver {
	for _, s := range Subdrivers {
		if s.Claims(d, productid) {
			return s
		}
	}
	return nil
}

func names() string {
	var n []string
	for _, s := range Subdrivers {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}

// Connect opens the device, parses its descriptor and publishes
// everything once, as usbhid-ups's start-up does.
func (u *Protocol) Connect(ctx context.Context, s *driver.State) error {
	conn, dev, err := u.open()
	if err != nil {
		return err
	}
	raw, err := conn.Descriptor()
	if err != nil {
		conn.Close()
		return fmt.Errorf("report descriptor: %w", err)
	}
	desc, err := hid.Parse(raw)
	if err != nil {
		conn.Close()
		return fmt.Errorf("report descriptor: %w", err)
	}
	sub, err := u.subdriver(dev)
	if err != nil {
		conn.Close()
		return err
	}
	eng := NewEngine(sub, dev, desc, readFrom(conn))
	eng.Write = conn.SetFeature
	eng.OnlineDischarge = u.onlineDischarge
	eng.OnlineCalibration = u.onlineCalibration
	eng.InterruptOnly = u.interruptOnly
	eng.LBRBDelay, eng.LBRBWithoutCalibrating = u.lbrbDelay, u.lbrbWithoutCalib
	if !u.lbrbSet && flashesLBRB(dev) {
		eng.LBRBDelay = 3 * time.Second
		s.Logger().Info("lbrb_log_delay_sec defaults to 3 for this model (it reports LB and RB for a moment during calibration); consider onlinedischarge_calibration and lbrb_log_delay_without_calibrating too", "product", dev.Product)
	}
	eng.Changed = true
	var ierr error
	s.Update(func(v *driver.Vars) {
		a := newAdapter(v)
		v.Set("driver.parameter.pollfreq", strconv.Itoa(int(u.pollfreq/time.Second)))
		if ierr = eng.Init(a); ierr != nil {
			return
		}
		// NUT's upsdrv_initups: ups.conf's values for the delays and the
		// low-battery charge, where the UPS has them.
		for opt, name := range map[string]string{"lowbatt": "battery.charge.low", "ondelay": "ups.delay.start", "offdelay": "ups.delay.shutdown"} {
			if val, ok := u.opts[opt]; ok && v.Get(name) != nil {
				v.Set(name, val)
			}
		}
		ierr = eng.Update(a, true)
	})
	if ierr != nil {
		conn.Close()
		return ierr
	}
	u.mu.Lock()
	u.conn, u.eng, u.lastFull, u.pending = conn, eng, time.Now(), nil
	// NUT's device table turns the interrupt pipe off for some products
	// (APC Smart-UPS 0003, Legrand Keor), as pollonly does.
	u.quirkPollOnly = dev.Quirks["pollonly"]
	u.mu.Unlock()
	return nil
}

// readFrom adapts a Conn to the engine, mapping an unplugged device.
func readFrom(c Conn) ReportReader {
	return func(id uint8, n int) ([]byte, error) {
		b, err := c.GetFeature(id, n)
		if errors.Is(err, hidraw.ErrGone) {
			return nil, fmt.Errorf("%w: %v", ErrGone, err)
		}
		return b, err
	}
}

// Wait is the interrupt pipe: it returns as soon as the UPS sends an
// input report (a status change), which the next Poll applies without
// reading anything else, or after d. An unplugged UPS is an error at
// once, so its data goes stale at once.
func (u *Protocol) Wait(ctx context.Context, d time.Duration) error {
	u.mu.Lock()
	in, _ := u.conn.(Interrupter)
	if u.pollOnly || u.quirkPollOnly {
		in = nil // ups.conf pollonly: the interrupt pipe is not read
	}
	u.mu.Unlock()
	deadline := time.Now().Add(d)
	for ctx.Err() == nil {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		if in == nil {
			t := time.NewTimer(left)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			return nil
		}
		// Short reads, so that a cancelled ctx is seen within 100 ms.
		r, err := in.ReadInput(min(left, 100*time.Millisecond))
		if err != nil {
			if errors.Is(err, hidraw.ErrGone) {
				return fmt.Errorf("%w: %v", ErrGone, err)
			}
			return err
		}
		if r != nil {
			u.mu.Lock()
			u.pending = append(u.pending, r)
			u.mu.Unlock()
			return nil
		}
	}
	return nil
}

// Poll applies the input reports that came, and when none did reads the
// quick-poll rows, and everything every pollfreq or after a change.
func (u *Protocol) Poll(ctx context.Context, s *driver.State) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.eng == nil {
		return errors.New("not connected")
	}
	if len(u.pending) > 0 {
		s.Update(func(v *driver.Vars) {
			for _, r := range u.pending {
				u.eng.HandleInput(newAdapter(v), r)
			}
		})
		u.pending = nil
		return nil
	}
	full := time.Since(u.lastFull) >= u.pollfreq || u.eng.Changed
	var err error
	s.Update(func(v *driver.Vars) { err = u.eng.Update(newAdapter(v), full) })
	if full && err == nil {
		u.lastFull = time.Now()
	}
	return err
}

// Close releases the device.
func (u *Protocol) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.conn == nil {
		return nil
	}
	err := u.conn.Close()
	u.conn, u.eng = nil, nil
	return err
}

// status maps the engine's errors to the driver socket's answers.
func status(err error) int {
	switch {
	case err == nil:
		return driversock.StatusHandled
	case errors.Is(err, ErrUnknown):
		return driversock.StatusUnknown
	case errors.Is(err, ErrInvalid):
		return driversock.StatusInvalid
	}
	return driversock.StatusFailed
}

// SetVar writes a variable.
func (u *Protocol) SetVar(ctx context.Context, s *driver.State, name, value string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.eng == nil {
		return driversock.StatusFailed
	}
	var err error
	s.Update(func(v *driver.Vars) { err = u.eng.SetVar(name, value, v.Set) })
	return status(err)
}

// InstCmd runs an instant command.
func (u *Protocol) InstCmd(ctx context.Context, s *driver.State, name, param string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.eng == nil {
		return driversock.StatusFailed
	}
	return status(u.eng.InstCmd(name, param, func(n string) string { v, _ := s.Get(n); return v }))
}

// KillPower is NUT's upsdrv_shutdown: shutdown.return, else
// shutdown.reboot, else load.off.delay.
func (u *Protocol) KillPower(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.eng == nil {
		return errors.New("not connected")
	}
	held := map[string]string{"ups.delay.start": defaultOndelay, "ups.delay.shutdown": defaultOffdelay}
	for opt, name := range map[string]string{"ondelay": "ups.delay.start", "offdelay": "ups.delay.shutdown"} {
		if v, ok := u.opts[opt]; ok {
			held[name] = v
		}
	}
	get := func(n string) string { return held[n] }
	var errs []error
	for _, c := range []string{"shutdown.return", "shutdown.reboot", "load.off.delay"} {
		err := u.eng.InstCmd(c, "", get)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", c, err))
	}
	return fmt.Errorf("shutdown failed: %w", errors.Join(errs...))
}

// adapter lets the engine publish into the driver's state.
type adapter struct{ driver.StringVars }

func newAdapter(v *driver.Vars) adapter { return adapter{driver.StringVars{Vars: v}} }

func (a adapter) SetRW(n string, l int) {
	if l == 0 {
		a.SetFlags(n, state.RW) // a number, or an ENUM
		return
	}
	a.SetFlags(n, state.RW|state.String)
	a.SetAux(n, l)
}

// rawConn is a hidraw node.
type rawConn struct{ d *hidraw.Dev }

func (r rawConn) Descriptor() ([]byte, error)                { return r.d.Descriptor() }
func (r rawConn) GetFeature(id uint8, n int) ([]byte, error) { return r.d.GetFeature(id, n) }
func (r rawConn) SetFeature(b []byte) error                  { return r.d.SetFeature(b) }
func (r rawConn) Close() error                               { return r.d.Close() }
func (r rawConn) ReadInput(t time.Duration) ([]byte, error)  { return r.d.ReadInput(t) }

// Replay is a recorded device: a NUT usbhid-ups debug log (NUT's own, as
// in its device dump library, or ours), played read-only as dummy-ups
// plays a .dev file.
type Replay struct {
	log     *hid.NUTLog
	reports map[uint8][]byte
}

// flashesLBRB is NUT's list (usbhid-ups.c, after 2.8.0) of the APC
// models that report LB, RB and all-well in turn within seconds during
// their calibration: Back-UPS BXnnnMI, BVKnnnM2 and BKnnnM2-CH.
func flashesLBRB(d *Device) bool {
	if d.Vendor != "APC" && d.Vendor != "American Power Conversion" {
		return false
	}
	p := d.Product
	model := func(prefix string) bool { return strings.HasPrefix(p, prefix) || strings.Contains(p, " "+prefix) }
	n := len(p)
	switch {
	case n > 6 && model("BX") && strings.HasSuffix(p, "MI"):
		return true
	case n > 7 && model("BVK") && strings.HasSuffix(p, "M2"):
		return true
	case n > 9 && model("BK") && p[n-5:n-3] == "M2" && (p[n-3] == '-' || p[n-3] == '_') && p[n-2:] == "CH":
		return true
	}
	return false
}

// OpenReplay reads a log for replay.
func OpenReplay(path string) (*Replay, *Device, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	l, err := hid.ReadNUTLog(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := BuildDescriptor(l); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	dev := &Device{VendorID: l.VendorID, ProductID: l.ProductID, Vendor: l.Manufacturer, Product: l.Product, Serial: l.Serial}
	return &Replay{log: l, reports: l.Reports()}, dev, nil
}

// BuildDescriptor gives a log without a descriptor (NUT at -D or -DD
// prints none) one built from its Path lines (hid.NUTLog.Synthesize),
// whose names any subdriver's table may have given; a log with one is
// left as it is.
func BuildDescriptor(l *hid.NUTLog) error {
	if l.Descriptor != nil {
		return nil
	}
	tables := []hid.Table{hid.StandardUsages}
	for _, s := range append(Subdrivers[:len(Subdrivers):len(Subdrivers)], Generic) {
		tables = append(tables, s.Usages)
	}
	return l.Synthesize(hid.NewNames(tables...))
}

// Descriptor is the recorded descriptor.
func (r *Replay) Descriptor() ([]byte, error) { return r.log.Descriptor, nil }

// GetFeature answers with the last recorded report of the ID.
func (r *Replay) GetFeature(id uint8, _ int) ([]byte, error) {
	if b, ok := r.reports[id]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("report %#02x was not recorded", id)
}

// SetFeature refuses: a recording cannot change.
func (r *Replay) SetFeature([]byte) error { return errors.New("a recorded device is read-only") }

// Close does nothing.
func (r *Replay) Close() error { return nil }
