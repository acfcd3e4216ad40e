package snmp

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/sysnut/sysnut/internal/driver"
)

// Kind is the ASN.1 type of an answer, as far as NUT tells them apart.
type Kind int

// Kinds of Value.
const (
	Integer Kind = iota // INTEGER, Counter32, Gauge32
	Ticks               // TimeTicks (hundredths of a second)
	Octets              // OCTET STRING, Opaque
	ObjectID
	Other
)

// Value is what the agent answered for one OID.
type Value struct {
	Kind Kind
	Int  int64
	Str  string // Octets: the bytes; ObjectID: dotted, with a leading dot
}

// Getter asks the agent for one OID; false when it has no such object
// or did not answer.
type Getter func(oid string) (Value, bool)

// Vars is where the engine publishes.
type Vars interface {
	Set(name, value string)
	Get(name string) (string, bool)
	Delete(name string)
	// SetType gives a variable NUT's flags: writable, a string of aux
	// characters.
	SetType(name string, rw, str bool, aux int)
	AddEnum(name, value string)
	AddCmd(name string)
}

// Engine walks a mapping table as snmp-ups.c does, for one agent.
type Engine struct {
	m      *Mapping
	get    Getter
	info   []Info
	phases map[string]int64 // input, output, input.bypass: -1 until known
	// SemiStaticFreq is semistaticfreq (walks between reads of the
	// semi-static entries).
	SemiStaticFreq int
	// NoTransferOIDs and SymmetraThreePhase are ups.conf's flags
	// notransferoids and symmetrathreephase.
	NoTransferOIDs, SymmetraThreePhase bool
	// Walk reads a subtree as NUT's nut_snmp_walk does (a GET, then
	// GETNEXTs while the OIDs are no shorter), for ups.alarms; nil when
	// the agent cannot be walked.
	Walk           func(oid string) []Walked
	countdown      int
	status, alarms []string
	// bases are where each template type's numbering starts (NUT's
	// *_template_index_base): found once, from the first template read.
	bases map[Flag]int
	// rows are how many outlets or sensors the last walk read, for the
	// next walk's prefetch.
	rows map[Flag]int
	// tempUnit is the unit an Eaton sensor reports its temperature in
	// (NUT's temperature_unit, set by reading the unit).
	tempUnit int
}

// Walked is one answer of a Walk.
type Walked struct {
	OID   string // dotted, with a leading dot
	Value Value
}

// NewEngine binds a mapping to an agent.
func NewEngine(m *Mapping, get Getter) *Engine {
	e := &Engine{m: m, get: get, info: append([]Info(nil), m.Table...), SemiStaticFreq: 10,
		phases: map[string]int64{"input": -1, "output": -1, "input.bypass": -1}, bases: map[Flag]int{}, rows: map[Flag]int{}, tempUnit: tempUnknown}
	for i := range e.info {
		e.info[i].Flags |= OK
	}
	return e
}

// InitUPS is the part of upsdrv_initups after the mapping is chosen: the
// commands NUT composes from load.off.delay and load.on.delay (listed
// whatever the agent has, and refused as unknown when run, as NUT does),
// and sysDescr, sysContact and sysLocation as device.description,
// device.contact and device.location until the table says otherwise.
func (e *Engine) InitUPS(v Vars) {
	off, on := e.find("load.off.delay") != nil, e.find("load.on.delay") != nil
	if off {
		v.AddCmd("load.off")
	}
	if on {
		v.AddCmd("load.on")
	}
	if off && on {
		v.AddCmd("shutdown.return")
		v.AddCmd("shutdown.stayoff")
	}
	for _, d := range []struct{ name, oid string }{
		{"device.description", ".1.3.6.1.2.1.1.1.0"},
		{"device.contact", ".1.3.6.1.2.1.1.4.0"},
		{"device.location", ".1.3.6.1.2.1.1.6.0"},
	} {
		if _, ok := v.Get(d.name); ok {
			continue
		}
		if s, ok := e.getStr(d.oid, nil); ok {
			v.Set(d.name, s)
		}
	}
}

// find is su_find_info: the first entry of a variable, published or not.
func (e *Engine) find(name string) *Info { return findInfo(e.info, name) }

func findInfo(table []Info, name string) *Info {
	for i := range table {
		if strings.EqualFold(table[i].Var, name) {
			return &table[i]
		}
	}
	return nil
}

// Init is upsdrv_initinfo: the commands whose OID the agent has, then
// the first walk. It reports whether the agent answered the last entry
// read (NUT's measure of a good walk).
func (e *Engine) Init(v Vars) bool {
	v.Set("driver.version.data", fmt.Sprintf("%s MIB %s", e.m.Name, e.m.Version))
	for _, in := range e.info {
		if in.Flags&Cmd != 0 && in.Flags&Outlet == 0 {
			if _, ok := e.get(in.OID); ok {
				v.AddCmd(in.Var)
			}
		}
	}
	if e.NoTransferOIDs {
		// NUT's disable_transfer_oids: both transfer entries lose OK, so
		// the first walk (which reads every entry) still reads them and
		// no later walk does.
		for i := range e.info {
			if strings.EqualFold(e.info[i].Var, "input.transfer.low") || strings.EqualFold(e.info[i].Var, "input.transfer.high") {
				e.info[i].Flags &^= OK
			}
		}
	}
	return e.walk(v, true)
}

// OIDs are what the next walk (the first one, with its command probes,
// when init) may read: the entries it does not skip, in table order;
// after the first walk, each template's rows as many as that walk read.
func (e *Engine) OIDs(init bool) []string {
	var oids []string
	seen := map[string]bool{}
	add := func(oid string) {
		if !seen[oid] {
			seen[oid] = true
			oids = append(oids, oid)
		}
	}
	for _, in := range e.info {
		if in.OID == "" || !init && (in.Flags&(Cmd|Static|Absent) != 0 || in.Flags&OK == 0) {
			continue
		}
		if !strings.Contains(in.OID, "%") {
			add(in.OID)
			continue
		}
		kind := in.Flags & templates
		if base, ok := e.bases[kind]; ok && !init {
			for i := base; i < base+e.rows[kind]; i++ {
				add(instance(in.OID, i))
			}
		}
	}
	return oids
}

// Update is upsdrv_updateinfo's poll: a walk, then ups.alarm and
// ups.status composed from what it collected.
func (e *Engine) Update(v Vars) bool {
	e.status, e.alarms = nil, nil
	ok := e.walk(v, false)
	if len(e.alarms) > 0 {
		v.Set("ups.alarm", strings.Join(e.alarms, " "))
	} else {
		v.Delete("ups.alarm")
	}
	st := strings.Join(e.status, " ")
	if len(e.alarms) > 0 {
		st = "ALARM " + st
	}
	v.Set("ups.status", st)
	return ok
}

// walk is snmp_ups_walk for a device that is not a daisy chain.
func (e *Engine) walk(v Vars, init bool) bool {
	if !init {
		e.countdown--
		if e.countdown < 0 {
			e.countdown = e.SemiStaticFreq
		}
	}
	status := false
	for i := range e.info {
		in := &e.info[i]
		tmpl := in.Flags&templates != 0
		switch {
		case init && strings.HasPrefix(in.Var, "device.count"):
			in.Flags &^= OK
			continue
		case in.Flags&Cmd != 0 && in.Flags&Outlet == 0:
			continue
		case !init && in.Flags&OK == 0:
			continue
		case !init && in.Flags&SemiStatic != 0 && e.countdown != 0:
			continue
		case !init && in.Flags&Static != 0:
			continue
		case in.Flags&Absent != 0 && !tmpl:
			if init {
				if in.Default != "" || in.OID == "" {
					e.setinfo(v, in, nil)
				}
				in.Flags |= Static
			}
			continue
		}
		if in.Flags&inPhases != 0 && e.phase(v, "input", in) {
			continue
		}
		if in.Flags&outPhases != 0 && e.phase(v, "output", in) {
			continue
		}
		if in.Flags&bypPhases != 0 && e.phase(v, "input.bypass", in) {
			continue
		}
		switch {
		case tmpl && in.Flags&Cmd != 0 && !init:
		case tmpl:
			status = e.template(v, in, init)
		default:
			status = e.process(v, in, init)
		}
	}
	return status
}

// process is get_and_process_data: read and publish one entry; the
// first walk turns off what the agent lacks.
func (e *Engine) process(v Vars, in *Info, init bool) bool {
	status := e.upsGet(v, in)
	switch {
	case status && in.Flags&Unique != 0:
		e.disableCompetition(in)
		in.Flags &^= Unique
	case !status && init:
		in.Flags &^= OK
	}
	return status
}

// template is process_template for outlets and ambient sensors: one
// entry per outlet or sensor, as many as outlet.count (ambient.count)
// says, else as many as the agent answers in a row (then published as
// that count). A command is listed per outlet, on the first walk only.
// The instances share the template's flags, as NUT's do: one the agent
// lacks on the first walk turns the whole template off.
func (e *Engine) template(v Vars, in *Info, init bool) bool {
	typ := "outlet"
	if in.Flags&Ambient != 0 {
		typ = "ambient"
	}
	var count int
	if s, ok := v.Get(typ + ".count"); ok {
		count = atoi(s)
	} else if count = e.guessCount(in); count > 0 {
		v.Set(typ+".count", strconv.Itoa(count))
	}
	if count <= 0 {
		return true
	}
	// NUT believes any count; an agent claiming millions would hold the
	// walk for ever.
	count = min(count, maxRows)
	cur := *in
	base := e.base(in)
	e.rows[in.Flags&templates] = count
	status := true
	for i := base; i < count+base; i++ {
		cur.Var = instance(in.Var, i)
		if strings.Contains(in.Default, "%i") {
			cur.Default = instance(in.Default, i)
		}
		switch {
		case in.OID == "":
			e.setinfo(v, &cur, nil)
		case in.Flags&Cmd != 0:
			if init {
				v.AddCmd(cur.Var)
			}
		default:
			cur.OID = instance(in.OID, i)
			status = e.process(v, &cur, init)
		}
		in.Flags = cur.Flags
	}
	return status
}

// instance fills a template's "%i" with n, as NUT's snprintf does.
func instance(template string, n int) string {
	return strings.ReplaceAll(template, "%i", strconv.Itoa(n))
}

// guessCount is guestimate_template_count: how many rows answer in a
// row, from 0 when row 0 answers (and is not a zero that means
// nothing), else from 1. maxRows bounds it where NUT has no bound.
func (e *Engine) guessCount(in *Info) int {
	base := 0
	if _, ok := e.get(instance(in.OID, 0)); !ok {
		base = 1
	} else if n, ok := e.getInt(instance(in.OID, 0)); ok && in.Flags&ZeroInvalid != 0 && n == 0 {
		base = 1
	}
	n := 0
	for n < maxRows {
		if _, ok := e.get(instance(in.OID, base+n)); !ok {
			break
		}
		n++
	}
	return n
}

// maxRows bounds the outlets or sensors of a template: those counted by
// asking row after row, and those read whatever count the agent gives.
const maxRows = 256

// base is base_snmp_template_index: 0 if the template's row 0 answers
// (with a value that means something), else 1 if row 1 does, else 2
// (NUT's loop runs out there and keeps it). Found once per type.
func (e *Engine) base(in *Info) int {
	kind := in.Flags & templates
	if b, ok := e.bases[kind]; ok {
		return b
	}
	b := 0
	for ; b < 2; b++ {
		oid := instance(in.OID, b)
		if _, ok := e.get(oid); !ok {
			continue
		}
		if in.Flags&ZeroInvalid != 0 {
			if n, ok := e.getInt(oid); ok && n != 0 {
				break
			}
		} else if in.Flags&NAInvalid != 0 {
			if s, ok := e.getStr(oid, nil); ok && !strings.HasPrefix(s, "N/A") {
				break
			}
		} else {
			break
		}
	}
	e.bases[kind] = b
	return b
}

// atoi is C's atoi.
func atoi(s string) int { return int(driver.Atol(s)) }

// phase is process_phase_data: it reports whether the entry is to be
// skipped for the device's number of phases. (NUT tells the types apart
// by prefix, so "input.bypass" entries go through the input case and
// are never filtered; so here.)
func (e *Engine) phase(v Vars, typ string, in *Info) bool {
	var all, one, three Flag
	switch {
	case strings.HasPrefix(typ, "input"):
		all, one, three = inPhases, Input1, Input3
	case strings.HasPrefix(typ, "output"):
		all, one, three = outPhases, Output1, Output3
	default:
		return true
	}
	n := e.phases[typ]
	if n == -1 {
		name := typ + ".phases"
		if s, ok := v.Get(name); ok {
			n, _ = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		} else {
			n = 1
			for _, t := range e.info {
				if t.Var == name {
					if x, ok := e.getInt(t.OID); ok {
						n = x
					}
					break
				}
			}
		}
		e.phases[typ] = n
		v.Set(name, strconv.FormatInt(n, 10))
	}
	switch {
	case in.Flags&one != 0:
		if n != 1 {
			in.Flags &^= OK
			return true
		}
		in.Flags &^= all
	case in.Flags&three != 0:
		if n != 3 {
			in.Flags &^= OK
			return true
		}
		in.Flags &^= all
	}
	return false
}

// disableCompetition: the other entries of the same variable are off.
func (e *Engine) disableCompetition(in *Info) {
	for i := range e.info {
		if o := &e.info[i]; o != in && o.Var == in.Var {
			o.Flags &^= OK
		}
	}
}

// upsGet is su_ups_get: read the entry and publish it (or add to the
// status and alarms).
func (e *Engine) upsGet(v Vars, in *Info) bool {
	switch {
	case strings.EqualFold(in.Var, "ups.status"):
		n, ok := e.getInt(in.OID)
		if ok {
			if s, found := in.Lookup.find(e, n); found && s != "" {
				e.status = append(e.status, s)
			}
		}
		return ok
	case strings.HasSuffix(in.Var, ".alarm"):
		n, ok := e.getInt(in.OID)
		if ok {
			if s, found := in.Lookup.find(e, n); found && s != "" {
				e.alarms = append(e.alarms, alarmText(in, s))
			}
		}
		return ok
	case strings.EqualFold(in.Var, "ups.alarms"):
		n, ok := e.getInt(in.OID)
		if !ok || n <= 0 {
			return ok
		}
		if e.Walk == nil {
			return false
		}
		walked := e.Walk(in.OID)
		if walked == nil {
			return false
		}
		for _, w := range walked {
			if w.Value.Kind != ObjectID {
				continue
			}
			for _, a := range e.m.Alarms {
				if a.OID == w.Value.Str {
					if a.Status != "" {
						e.status = append(e.status, a.Status)
					}
					if a.Alarm != "" {
						e.alarms = append(e.alarms, a.Alarm)
					}
					break
				}
			}
		}
		return true
	case strings.EqualFold(in.Var, "ambient.temperature"):
		n, ok := e.getInt(in.OID)
		if !ok {
			return false
		}
		temp := float32(float64(n) * in.Len)
		if in.OID == apccIEMTemp {
			// NUT takes Fahrenheit unless the probe says Celsius.
			if u, ok := e.getInt(apccIEMTempUnit); !ok || u == apccIEMFahrenheit {
				temp = float32((float64(n) - 32) / 1.8)
			} else {
				temp = float32(n)
			}
		}
		s := strconv.FormatFloat(float64(temp), 'f', 1, 64)
		e.setinfo(v, in, &s)
		return true
	}
	var s string
	var ok bool
	switch {
	case in.OID == "" && in.Default != "":
		s, ok = in.Default, true
	case in.String:
		s, ok = e.getStr(in.OID, in.Lookup)
		if ok && e.SymmetraThreePhase && (strings.EqualFold(in.Var, "input.transfer.low") || strings.EqualFold(in.Var, "input.transfer.high")) {
			// Line-to-line to line-to-neutral.
			s = strconv.FormatFloat(atof(s)*0.707, 'f', 2, 64)
		}
		if ok && in.Lookup != nil && in.Lookup.Str != nil {
			s = driver.CBuf(in.Lookup.Str(s), infoSize)
		}
	default:
		var n int64
		n, ok = e.getInt(in.OID)
		if !ok {
			return false
		}
		if in.Flags&NegInvalid != 0 && n < 0 || in.Flags&ZeroInvalid != 0 && n == 0 {
			in.Flags &^= OK
			if in.Flags&Unique != 0 {
				e.disableCompetition(in)
				in.Flags &^= Unique
			}
			return false
		}
		if t, found := in.Lookup.find(e, n); found {
			s = t
		} else {
			d := float64(n) * in.Len
			if float64(int32(d)) == d {
				s = strconv.Itoa(int(int32(d)))
			} else {
				s = strconv.FormatFloat(float64(float32(d)), 'f', 2, 64)
			}
		}
	}
	if ok {
		e.setinfo(v, in, &s)
	}
	return ok
}

// alarmText is su_alarm_set's text: an outlet's alarm names the outlet,
// a phase's its phase.
func alarmText(in *Info, s string) string {
	switch {
	case in.Flags&Outlet != 0:
		rest, _ := strings.CutPrefix(in.Var, "outlet.")
		return fmt.Sprintf("outlet %d %s", atoi(rest), s)
	case strings.HasPrefix(in.Var, "L"):
		return fmt.Sprintf("phase L%d %s", atoi(in.Var[1:]), s)
	}
	return s
}

// setinfo is su_setinfo: publish the value (or the default) with NUT's
// flags, and the enumeration of a writable variable with a lookup.
func (e *Engine) setinfo(v Vars, in *Info, value *string) {
	if in.Flags&Cmd != 0 || strings.EqualFold(in.Var, "ups.status") || strings.HasSuffix(in.Var, ".alarm") {
		return
	}
	switch {
	case value != nil:
		v.Set(in.Var, *value)
	default:
		v.Set(in.Var, in.Default)
	}
	v.SetType(in.Var, in.RW, in.String, int(in.Len))
	if in.RW && in.Lookup != nil {
		for _, l := range in.Lookup.Values {
			v.AddEnum(in.Var, l.Text)
		}
	}
}

// maxPointers bounds how many OID values in a row are followed: NUT
// follows them without end, so an agent whose OID names itself would
// make it recurse until it crashes.
const maxPointers = 8

// getInt is nut_snmp_get_int.
func (e *Engine) getInt(oid string) (int64, bool) { return e.getIntN(oid, maxPointers) }

func (e *Engine) getIntN(oid string, follow int) (int64, bool) {
	val, ok := e.get(oid)
	if !ok {
		return 0, false
	}
	switch val.Kind {
	case Octets:
		return strtol(val.Str), true
	case Integer:
		return val.Int, true
	case Ticks:
		return val.Int / 100, true
	case ObjectID:
		if follow > 0 {
			if n, ok := e.getIntN(val.Str, follow-1); ok {
				return n, true
			}
		}
		return strtol(val.Str[strings.LastIndex(val.Str, ".")+1:]), true
	}
	return 0, false
}

// getStr is nut_snmp_get_str (decode_str).
func (e *Engine) getStr(oid string, l *Lookup) (string, bool) { return e.getStrN(oid, l, maxPointers) }

func (e *Engine) getStrN(oid string, l *Lookup, follow int) (string, bool) {
	val, ok := e.get(oid)
	if !ok {
		return "", false
	}
	switch val.Kind {
	case Octets:
		for _, r := range []byte(val.Str) {
			if !(r >= 0x20 && r < 0x7f || unicode.IsSpace(rune(r))) {
				return hexString([]byte(val.Str)), true
			}
		}
		return driver.CBuf(val.Str, infoSize), true
	case Integer:
		if l != nil {
			return l.find(e, val.Int)
		}
		return strconv.FormatInt(val.Int, 10), true
	case Ticks:
		return strconv.FormatInt(val.Int/100, 10), true
	case ObjectID:
		if follow > 0 {
			if s, ok := e.getStrN(val.Str, l, follow-1); ok {
				return s, true
			}
		}
		return val.Str[strings.LastIndex(val.Str, ".")+1:], true
	}
	return "", false
}

// hexString is net-snmp's snprint_hexstring: upper-case hex bytes, each
// followed by a space.
func hexString(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%02X ", c)
	}
	return driver.CBuf(s.String(), infoSize)
}

// atof is C's atof: the longest leading decimal number, else 0.
func atof(s string) float64 {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	for n := len(s); n > 0; n-- {
		if f, err := strconv.ParseFloat(s[:n], 64); err == nil {
			return f
		}
	}
	return 0
}

// strtol is C's strtol(s, NULL, 0): an optional sign, then decimal, 0x
// hex or 0 octal digits, as far as they go.
func strtol(s string) int64 {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := int64(10)
	switch {
	case len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 0 && s[0] == '0':
		base = 8
	}
	var n int64
	for _, c := range s {
		d := int64(strings.IndexRune("0123456789abcdef", unicode.ToLower(c)))
		if d < 0 || d >= base {
			break
		}
		n = n*base + d
	}
	if neg {
		return -n
	}
	return n
}

// outletEntry is su_setOID's way to an outlet's variable or command:
// outlet.N.REST is the template outlet.%i.REST for outlet N, which must
// be no more than outlet.count. Where NUT crashes (no such template, a
// name without a number, no outlet.count) this finds nothing.
func (e *Engine) outletEntry(v Vars, name string, cmd bool) (*Info, int) {
	count, _ := v.Get("outlet.count")
	if len(name) < 7 || name[6] != '.' {
		return nil, SetUnknown
	}
	item := atoi(name[7:])
	if item > atoi(count) {
		return nil, SetInvalid
	}
	_, rest, ok := strings.Cut(name[7:], ".")
	if !ok {
		return nil, SetUnknown
	}
	t := e.find("outlet.%i." + rest)
	if t == nil {
		return nil, SetUnknown
	}
	in := *t
	in.Var = name
	if strings.Contains(t.Default, "%i") {
		in.Default = instance(t.Default, item)
	}
	if t.OID == "" {
		if cmd {
			return nil, SetUnknown
		}
		return &in, 0
	}
	in.OID = instance(t.OID, item)
	return &in, 0
}

// Setter sends one SET to the agent: kind 's' (OCTET STRING), 'i'
// (INTEGER) or 't' (TimeTicks), as NUT's nut_snmp_set; false when the
// agent refused or did not answer.
type Setter func(oid string, kind byte, value string) bool

// Results of Set, as NUT's drivers answer upsd.
const (
	SetHandled = iota
	SetUnknown
	SetInvalid
	SetFailed
)

// Set is su_setOID: an instant command (cmd, with param or the table's
// default) or a SET of a writable variable. A variable set is published
// with the value given.
func (e *Engine) Set(v Vars, set Setter, name, value string, hasValue, cmd bool) int {
	in := e.find(name)
	if strings.HasPrefix(name, "outlet") {
		var res int
		if in, res = e.outletEntry(v, name, cmd); in == nil {
			return res
		}
	}
	if in == nil || in.Flags&OK == 0 || cmd && in.OID == "" {
		return SetUnknown
	}
	val := value
	if !hasValue {
		val = in.Default
	}
	var ok bool
	switch {
	case in.String:
		ok = set(in.OID, 's', val)
	default:
		var n int64
		switch {
		case cmd:
			x, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return SetInvalid
			}
			n = x
		case in.Lookup != nil:
			n = in.Lookup.value(val)
		default:
			x, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return SetInvalid
			}
			n = int64(float64(x) / in.Len)
		}
		if in.Flags&TypeTime != 0 {
			ok = set(in.OID, 't', strconv.FormatInt(n*100, 10))
		} else {
			ok = set(in.OID, 'i', strconv.FormatInt(n, 10))
		}
	}
	if !ok {
		return SetFailed
	}
	if !cmd {
		v.Set(name, value)
	}
	return SetHandled
}
