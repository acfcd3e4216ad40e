package usbhid

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// Vars is where the engine publishes (the driver's state, or a map in
// tests).
type Vars interface {
	Set(name, value string)
	Get(name string) (string, bool)
	Delete(name string)
	// SetRW makes a variable writable: a string of at most n characters,
	// or, with n 0, a number or an enumeration (NUT's ST_FLAG_RW alone).
	SetRW(name string, n int)
	AddEnum(name, value string)
	AddCmd(name string)
}

// ReportReader reads a report by ID (GET_REPORT, of the feature type
// for every report, as NUT asks); the answer starts with the ID byte.
type ReportReader func(id uint8, length int) ([]byte, error)

// ReportWriter sends a feature report (SET_REPORT), the ID byte first.
type ReportWriter func(report []byte) error

// Errors of InstCmd and SetVar, as NUT's drivers answer.
var (
	ErrUnknown = errors.New("unknown to this UPS")
	ErrInvalid = errors.New("invalid value")
	ErrFailed  = errors.New("the UPS refused it")
)

// ErrGone is a device that went away (unplugged): the engine stops its
// walk and the caller reconnects.
var ErrGone = errors.New("device gone")

// Engine reads a UPS through a subdriver's table, as usbhid-ups.c does.
type Engine struct {
	Sub   *Subdriver
	Dev   *Device
	Desc  *hid.Descriptor
	Names *hid.Names
	Read  ReportReader
	Write ReportWriter
	// OnlineDischarge: OL and DISCHRG together mean on battery
	// (ups.conf onlinedischarge, some CyberPower units).
	OnlineDischarge bool
	// OnlineCalibration: OL and DISCHRG together mean a calibration
	// (ups.conf onlinedischarge_calibration, NUT 2.8.1): CAL is added.
	OnlineCalibration bool
	// LBRBDelay is ups.conf's lbrb_log_delay_sec (NUT 2.8.1): while the
	// UPS is on line and calibrating (or at any time on line, with
	// LBRBWithoutCalibrating), LB and RB are reported only once they
	// have lasted longer than this; some APC models flash them for a
	// second or two during their calibration.
	LBRBDelay              time.Duration
	LBRBWithoutCalibrating bool
	// Now is the clock for LBRBDelay; nil is time.Now.
	Now func() time.Time
	// InterruptOnly is ups.conf's interruptonly (NUT's Powercom tweak):
	// an input report's field is matched to the input item of its path,
	// not the feature one, so rows read through a feature item are left
	// to the next poll.
	InterruptOnly bool

	rows   []bound
	status map[string]bool // NUT's ups_status bits, kept between walks
	// lbSince and rbSince are when LB and RB were first seen while
	// LBRBDelay held them back (NUT's last_lb_start, last_rb_start).
	lbSince, rbSince time.Time
	cache            map[uint8][]byte
	// reports keep each report's last buffer across walks, as NUT's
	// reportbuf does (Device.Report).
	reports map[uint8][]byte
	// Reads of this walk: how many reports were asked for, how many came
	// back well, and the last failure.
	asked, answered int
	lastErr         error
	// Changed is set by a successful command or SET: the next full
	// update reads the semi-static rows too (NUT's data_has_changed).
	Changed bool
	// Pause waits between two commands to the UPS; nil is time.Sleep.
	Pause func(time.Duration)
}

func (e *Engine) pause(d time.Duration) {
	if e.Pause != nil {
		e.Pause(d)
		return
	}
	time.Sleep(d)
}

// bound is a table row and its field, nil when the device lacks it or
// another row of the same variable won.
type bound struct {
	Row
	field *hid.Field
}

// NewEngine binds a subdriver to a device's descriptor, after the
// subdriver's descriptor fixes.
func NewEngine(sub *Subdriver, dev *Device, desc *hid.Descriptor, read ReportReader) *Engine {
	if sub.Fix != nil {
		sub.Fix(dev, desc)
	}
	e := &Engine{Sub: sub, Dev: dev, Desc: desc, Read: read, Names: hid.NewNames(sub.Usages, hid.StandardUsages),
		status: map[string]bool{}, reports: map[uint8][]byte{}}
	dev.Report = e.report
	for _, r := range sub.Rows {
		b := bound{Row: r}
		if p, err := e.Names.Parse(r.Path); err == nil {
			// NUT's HIDGetItemData: the feature field of that path,
			// else the input one.
			if b.field = desc.Find(p, hid.Feature); b.field == nil {
				b.field = desc.Find(p, hid.Input)
			}
		}
		e.rows = append(e.rows, b)
	}
	dev.Item = func(path string) (float64, bool) {
		p, err := e.Names.Parse(path)
		if err != nil {
			return 0, false
		}
		f := desc.Find(p, hid.Feature)
		if f == nil {
			f = desc.Find(p, hid.Input)
		}
		if f == nil {
			return 0, false
		}
		if e.cache == nil {
			e.startWalk()
		}
		v, ok, _ := e.value(f)
		return v, ok
	}
	return e
}

// value reads a field's physical value; ok is false when the report
// could not be read or is too short. A device that went away is err.
func (e *Engine) value(f *hid.Field) (v float64, ok bool, err error) {
	buf, cached := e.cache[f.ReportID]
	if !cached {
		n := e.Desc.ReportLen[f.ReportID] + 1
		b, err := e.Read(f.ReportID, n)
		if errors.Is(err, ErrGone) {
			return 0, false, err
		}
		e.asked++
		switch {
		case err != nil:
			e.lastErr = err
		case len(b) == 0 || b[0] != f.ReportID:
			e.lastErr = fmt.Errorf("report %#02x: the UPS answered % x", f.ReportID, b)
		default:
			// A short answer (some APC firmware) is used as NUT uses
			// it: the rest reads as zeros.
			buf = make([]byte, max(n, len(b)))
			copy(buf, b)
			e.answered++
			e.reports[f.ReportID] = buf[:n] // never written to
		}
		e.cache[f.ReportID] = buf
	}
	if buf == nil {
		return 0, false, nil
	}
	l, ok := f.Logical(buf)
	if !ok {
		return 0, false, nil
	}
	return f.Physical(l), true, nil
}

// Init is NUT's first walk (HU_WALKMODE_INIT) and the device variables
// its callback and upsdrv_initups set: identity, the first row of each
// variable that the device answers, commands, the driver-held delays.
func (e *Engine) Init(v Vars) error {
	e.publishTo(v)
	set := func(name, value string) { v.Set(name, value) }
	for _, f := range []struct {
		name string
		fn   func(*Device, func(string, string)) string
	}{{"ups.mfr", e.Sub.Mfr}, {"ups.model", e.Sub.Model}, {"ups.serial", e.Sub.Serial}} {
		if f.fn == nil {
			continue
		}
		if s := f.fn(e.Dev, set); s != "" {
			v.Set(f.name, s)
		} else {
			v.Delete(f.name)
		}
	}
	v.Set("ups.vendorid", fmt.Sprintf("%04x", e.Dev.VendorID))
	v.Set("ups.productid", fmt.Sprintf("%04x", e.Dev.ProductID))
	v.Set("driver.version.data", e.Sub.Name)

	e.startWalk()
	for i := range e.rows {
		b := &e.rows[i]
		if b.field == nil {
			continue
		}
		if b.Flags&Absent != 0 {
			if _, ok := v.Get(b.Var); !ok {
				v.Set(b.Var, b.Format)
				if b.RW {
					v.SetRW(b.Var, b.Len)
				}
			}
			continue
		}
		if b.Var != "BOOL" && !strings.HasPrefix(b.Var, "ups.alarm") && b.Flags&Cmd == 0 {
			if _, ok := v.Get(b.Var); ok {
				b.field = nil // another row has it
				continue
			}
		}
		val, ok, err := e.value(b.field)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if b.Flags&Cmd != 0 {
			v.AddCmd(b.Var)
			continue
		}
		if !e.apply(v, b, val, nil) {
			continue
		}
		if b.RW {
			v.SetRW(b.Var, b.Len)
			if b.Flags&Enum != 0 && b.Lookup != nil {
				for _, lv := range b.Lookup.Values {
					if _, ok := b.Lookup.Find(float64(lv.HID), e.Dev); ok {
						v.AddEnum(b.Var, lv.NUT)
					}
				}
			}
		}
	}
	if err := e.walkErr(); err != nil {
		return err
	}
	if e.has("load.off.delay") {
		v.AddCmd("load.off")
	}
	if e.has("load.on.delay") {
		v.AddCmd("load.on")
	}
	if e.has("load.off.delay") && e.has("load.on.delay") {
		v.AddCmd("shutdown.return")
		v.AddCmd("shutdown.stayoff")
	}
	return nil
}

// has reports whether a row of the variable or command is bound.
func (e *Engine) has(name string) bool {
	for _, b := range e.rows {
		if b.field != nil && strings.EqualFold(b.Var, name) {
			return true
		}
	}
	return false
}

// apply is NUT's ups_infoval_set: a looked-up text, a status flag, an
// alarm, or the value through the row's format. It reports whether a
// variable was set.
func (e *Engine) apply(v Vars, b *bound, val float64, alarms *[]string) bool {
	if b.Lookup != nil {
		s, ok := b.Lookup.Find(val, e.Dev)
		if !ok {
			return false
		}
		switch {
		case b.Var == "BOOL":
			if name, clear := strings.CutPrefix(s, "!"); clear {
				delete(e.status, strings.ToLower(name))
			} else {
				e.status[strings.ToLower(s)] = true
			}
			return false
		case strings.HasPrefix(b.Var, "ups.alarm"):
			if alarms != nil {
				*alarms = append(*alarms, s)
			}
			return false
		}
		v.Set(b.Var, s)
		return true
	}
	v.Set(b.Var, cformat(b.Format, val))
	return true
}

// published reads a variable published so far.
func (e *Engine) published(name string) (string, bool) {
	if e.Dev.Published == nil {
		return "", false
	}
	return e.Dev.Published(name)
}

// publishTo lets the lookups read and set v (NUT's dstate).
func (e *Engine) publishTo(v Vars) {
	e.Dev.Published, e.Dev.Publish, e.Dev.Unpublish = v.Get, v.Set, v.Delete
	e.Dev.Flag = func(name string) bool { return e.status[name] }
	if e.Dev.Memo == nil {
		e.Dev.Memo = map[string]float64{}
	}
}

// startWalk clears the report buffer and the counts of a walk.
func (e *Engine) startWalk() {
	e.cache = map[uint8][]byte{}
	e.asked, e.answered, e.lastErr = 0, 0, nil
}

// walkErr is an error when the UPS answered none of the reports asked
// for: it hangs or talks nonsense, and its data must go stale. (One bad
// report among good ones is skipped, as NUT skips it.)
func (e *Engine) walkErr() error {
	if e.asked > 0 && e.answered == 0 {
		return fmt.Errorf("the UPS answered none of %d reports: %w", e.asked, e.lastErr)
	}
	return nil
}

// Update is one poll: every row when full (every pollfreq, NUT's
// HU_WALKMODE_FULL_UPDATE, semi-static rows only after a change made
// through the engine), else the quick-poll rows; then ups.status,
// input.transfer.reason and, on a full poll, ups.alarm, as usbhid-ups.c
// composes them.
func (e *Engine) Update(v Vars, full bool) error {
	e.publishTo(v)
	e.startWalk()
	changed := e.Changed
	if full {
		e.Changed = false
	}
	var alarms []string
	for i := range e.rows {
		b := &e.rows[i]
		if b.field == nil {
			continue
		}
		if full {
			if b.Flags&(Absent|Cmd|Static) != 0 || b.Flags&SemiStatic != 0 && !changed {
				continue
			}
		} else if b.Flags&QuickPoll == 0 {
			continue
		}
		val, ok, err := e.value(b.field)
		if err != nil {
			return err
		}
		if ok {
			e.apply(v, b, val, &alarms)
		}
	}
	if err := e.walkErr(); err != nil {
		return err
	}
	if full {
		alarms = append(alarms, e.alarms()...)
		if len(alarms) > 0 {
			v.Set("ups.alarm", strings.Join(alarms, " "))
		} else {
			v.Delete("ups.alarm")
		}
	}
	switch {
	case e.status["vrange"]:
		v.Set("input.transfer.reason", "input voltage out of range")
	case e.status["frange"]:
		v.Set("input.transfer.reason", "input frequency out of range")
	default:
		v.Delete("input.transfer.reason")
	}
	st := e.Status()
	if _, ok := v.Get("ups.alarm"); ok {
		st = "ALARM " + st
	}
	v.Set("ups.status", st)
	return nil
}

// Status is NUT's ups_status_set: ups.status from the flags collected.
func (e *Engine) Status() string {
	s := e.status
	var out []string
	add := func(flag string) { out = append(out, flag) }
	switch {
	case !s["online"]:
		add("OB")
	case s["dischrg"] && e.OnlineDischarge:
		add("OB")
	default:
		add("OL")
	}
	if s["dischrg"] && !s["depleted"] {
		add("DISCHRG")
	}
	if s["chrg"] && !s["fullycharged"] {
		add("CHRG")
	}
	calibrating := e.OnlineCalibration && s["online"] && s["dischrg"] && !e.OnlineDischarge
	hold := e.LBRBDelay > 0 && (calibrating || e.LBRBWithoutCalibrating) && s["online"]
	if s["lowbatt"] || s["timelimitexp"] || s["shutdownimm"] {
		if !hold || e.lasted(&e.lbSince) {
			add("LB")
		}
	} else {
		e.lbSince = time.Time{}
	}
	if s["overload"] {
		add("OVER")
	}
	// NUT's RB: also at once when the calibration's LB has gone.
	if s["replacebatt"] {
		if !hold || e.lbSince.IsZero() || e.lasted(&e.rbSince) {
			add("RB")
		}
	} else {
		e.rbSince = time.Time{}
	}
	if s["trim"] {
		add("TRIM")
	}
	if s["boost"] {
		add("BOOST")
	}
	if s["bypassauto"] || s["bypassman"] {
		add("BYPASS")
	}
	if s["off"] {
		add("OFF")
	}
	if s["cal"] || e.OnlineCalibration && s["online"] && s["dischrg"] && !e.OnlineDischarge {
		add("CAL")
	}
	return strings.Join(out, " ")
}

// lasted says whether the state begun at *since (zero: now, which it
// records) has lasted longer than LBRBDelay, in whole seconds as NUT
// counts them.
func (e *Engine) lasted(since *time.Time) bool {
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	if since.IsZero() {
		*since = now
		return false
	}
	return now.Unix()-since.Unix() > int64(e.LBRBDelay/time.Second)
}

// alarms is NUT's ups_alarm_set.
func (e *Engine) alarms() []string {
	var out []string
	for _, a := range []struct{ flag, text string }{
		{"replacebatt", "Replace battery!"}, {"shutdownimm", "Shutdown imminent!"},
		{"fanfail", "Fan failure!"}, {"nobattery", "No battery installed!"},
		{"battvoltlo", "Battery voltage too low!"}, {"battvolthi", "Battery voltage too high!"},
		{"chargerfail", "Battery charger fail!"}, {"overheat", "Temperature too high!"},
		{"commfault", "Internal UPS fault!"}, {"awaitingpower", "Awaiting power!"},
		{"bypassauto", "Automatic bypass mode!"}, {"bypassman", "Manual bypass mode!"},
	} {
		if e.status[a.flag] {
			out = append(out, a.text)
		}
	}
	return out
}

// find is NUT's find_nut_info: the first bound row of the name.
func (e *Engine) find(name string) *bound {
	for i := range e.rows {
		if b := &e.rows[i]; b.field != nil && strings.EqualFold(b.Var, name) {
			return b
		}
	}
	return nil
}

// InstCmd runs an instant command as NUT's instcmd does: the table row's
// value (or extra, when given) written to its field; load.on and
// load.off through their delays at 0; shutdown.return and
// shutdown.stayoff as the two delays, the start delay first (-1 to stay
// off); beeper.on/off as beeper.enable/disable. held is the driver-held
// value of a variable (ups.delay.start, ups.delay.shutdown).
func (e *Engine) InstCmd(name, extra string, held func(string) string) error {
	switch strings.ToLower(name) {
	case "beeper.off":
		return e.InstCmd("beeper.disable", "", held)
	case "beeper.on":
		return e.InstCmd("beeper.enable", "", held)
	}
	b := e.find(name)
	if b == nil {
		switch strings.ToLower(name) {
		case "load.on":
			return e.InstCmd("load.on.delay", "0", held)
		case "load.off":
			return e.InstCmd("load.off.delay", "0", held)
		case "shutdown.return", "shutdown.stayoff":
			start, auto := held("ups.delay.start"), "yes"
			if strings.EqualFold(name, "shutdown.stayoff") {
				start, auto = "-1", "no"
			}
			// Whether the UPS restarts by itself when mains returns,
			// where it says (NUT ignores a failure here, and so do we).
			if _, ok := e.published("ups.start.auto"); ok {
				_ = e.SetVar("ups.start.auto", auto, func(string, string) {})
			}
			if err := e.InstCmd("load.on.delay", start, held); err != nil {
				return err
			}
			// Some UPSes (Tripp Lite AVR750U) drop a command that comes
			// too soon after another: NUT waits this long.
			e.pause(125 * time.Millisecond)
			return e.InstCmd("load.off.delay", held("ups.delay.shutdown"), held)
		}
		return ErrUnknown
	}
	if b.Flags&Cmd == 0 {
		return ErrUnknown
	}
	val := b.Format
	if extra != "" {
		val = extra
	}
	return e.write(b, val)
}

// SetVar sets a writable variable as NUT's setvar does; a driver-held
// one (ups.delay.*) is only published (set reports it back).
func (e *Engine) SetVar(name, value string, set func(name, value string)) error {
	b := e.find(name)
	if b == nil || !b.RW {
		return ErrUnknown
	}
	if b.Flags&Absent != 0 {
		set(b.Var, value)
		return nil
	}
	return e.write(b, value)
}

// write turns a NUT value into the field's and sends the report with the
// other fields as last read (NUT's set_item_buffered).
func (e *Engine) write(b *bound, value string) error {
	var v float64
	if b.Lookup != nil {
		x, ok := b.Lookup.reverse(value, e.Dev)
		if !ok {
			return ErrInvalid
		}
		v = x
	} else {
		v = float64(driver.Atol(value)) // NUT's atol

	}
	f := b.field
	if f.Attribute&1 != 0 || e.Write == nil {
		return ErrFailed // a constant field cannot be set
	}
	n := e.Desc.ReportLen[f.ReportID] + 1
	buf := make([]byte, n)
	if cur, err := e.Read(f.ReportID, n); err == nil {
		copy(buf, cur)
	}
	buf[0] = f.ReportID
	f.SetLogical(buf, f.Logicalize(v))
	if err := e.Write(buf); err != nil {
		if errors.Is(err, ErrGone) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrFailed, err)
	}
	e.Changed = true
	return nil
}

// keep files an input report's buffer (a copy: the reader may reuse
// it) as NUT's reportbuf holds it: the descriptor's length, what the UPS
// sent beyond it cut off.
func (e *Engine) keep(b []byte) {
	buf := make([]byte, e.Desc.ReportLen[b[0]]+1)
	copy(buf, b)
	e.reports[b[0]] = buf
}

// report is Device.Report: a report's last buffer, zeros when it was
// never read (NUT allocates every report's buffer zeroed at start).
func (e *Engine) report(id uint8) []byte {
	if b, ok := e.reports[id]; ok {
		return b
	}
	return make([]byte, e.Desc.ReportLen[id]+1)
}

// HandleInput applies an input report (an interrupt transfer) as NUT's
// upsdrv_updateinfo does with its events: each input field of the report
// sets the row mapped to the same path (its feature field's row, else
// its input field's; with InterruptOnly only the latter), and ups.status
// is composed again at once.
func (e *Engine) HandleInput(v Vars, report []byte) {
	if len(report) == 0 {
		return
	}
	e.keep(report)
	for i := range e.Desc.Fields {
		f := &e.Desc.Fields[i]
		if f.Type != hid.Input || f.ReportID != report[0] {
			continue
		}
		l, ok := f.Logical(report)
		if !ok {
			continue
		}
		// NUT's FindObject_with_Path: the feature item of the path, else
		// its (first) input item; input only with interruptonly.
		var target *hid.Field
		if !e.InterruptOnly {
			target = e.Desc.Find(f.Path, hid.Feature)
		}
		if target == nil {
			target = e.Desc.Find(f.Path, hid.Input)
		}
		for j := range e.rows {
			if b := &e.rows[j]; b.field == target && b.Flags&(Absent|Cmd) == 0 {
				e.apply(v, b, f.Physical(l), nil)
			}
		}
	}
	st := e.Status()
	if _, ok := v.Get("ups.alarm"); ok {
		st = "ALARM " + st
	}
	v.Set("ups.status", st)
}
