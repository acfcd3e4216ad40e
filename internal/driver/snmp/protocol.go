package snmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
)

// Version is driver.version.internal.
const Version = "1.21-sysnut"

// Mappings are the UPS MIBs sysnut has, in NUT's probe order (NUT's
// PDU and ATS mappings are not here).
var Mappings = []*Mapping{APCC, Bestpower, Compaq, CyberPower, DeltaUPS, Huawei, MGE, Netvision, Powerware, PXGX, XPPC, TrippLite, IETF}

// Protocol is snmp-ups.
type Protocol struct {
	log      func(msg string, args ...any)
	mibs     string
	pollfreq time.Duration
	// ondelay and offdelay are ups.conf's, "" when not set.
	ondelay, offdelay        string
	noTransferOIDs, symmetra bool
	client                   *gosnmp.GoSNMP

	// mu serialises the agent's client between the poll loop and the
	// SETs upsd forwards; the driver's state is never locked while a
	// request is out.
	mu       sync.Mutex
	eng      *Engine
	lastPoll time.Time
	// lost is why the agent stopped answering in this walk: later GETs
	// fail at once, so a silent agent costs one timeout, not one per
	// entry of the table.
	lost error
	// cache holds a walk's prefetched answers; nil between walks, so
	// that a SET is read back from the agent.
	cache map[string]answer
	// unhook stops the watch that closes the socket when the driver
	// stops.
	unhook func() bool
}

// New reads a section's snmp-ups keys, as NUT's upsdrv_initups does.
func New(p driver.Params) (driver.Protocol, error) {
	host, port := p.UPS.Port, uint16(161)
	if h, ps, err := net.SplitHostPort(host); err == nil {
		n, err := strconv.ParseUint(ps, 10, 16)
		if err != nil {
			return nil, driver.BadParam("port", fmt.Errorf("port = %s: %q is not a port number", p.UPS.Port, ps))
		}
		host, port = h, uint16(n)
	}
	if host == "" {
		return nil, driver.BadParam("port", errors.New("port: the agent's host name or address is empty"))
	}
	c := &gosnmp.GoSNMP{Target: host, Port: port, Transport: "udp", Community: "public",
		Version: gosnmp.Version1, Timeout: time.Second, Retries: 5, MaxOids: gosnmp.MaxOids}
	if v, ok := p.Param("community"); ok {
		c.Community = v
	}
	retries, err := p.Int("snmp_retries", 5)
	if err != nil {
		return nil, err
	}
	timeout, err := p.Int("snmp_timeout", 1)
	if err != nil {
		return nil, err
	}
	c.Retries, c.Timeout = retries, time.Duration(timeout)*time.Second
	switch v, _ := p.Param("snmp_version"); v {
	case "", "v1":
	case "v2c":
		c.Version = gosnmp.Version2c
	case "v3":
		if err := v3(c, p); err != nil {
			return nil, err
		}
	default:
		return nil, driver.BadParam("snmp_version", fmt.Errorf("snmp_version = %s: not one of v1, v2c, v3", v))
	}
	pollfreq, err := p.Int("pollfreq", 30)
	if err != nil {
		return nil, err
	}
	ondelay, offdelay, err := delays(p)
	if err != nil {
		return nil, err
	}
	mibs, _ := p.Param("mibs")
	if mibs == "" {
		mibs = "auto"
	}
	if mibs != "auto" && mappingNamed(mibs) == nil {
		return nil, driver.BadParam("mibs", fmt.Errorf("mibs = %s: sysnut has %s (and auto)", mibs, mappingNames()))
	}
	log := func(string, ...any) {}
	if p.Log != nil {
		log = p.Log.Info
	}
	return &Protocol{log: log, mibs: mibs, ondelay: ondelay, offdelay: offdelay,
		noTransferOIDs: p.UPS.HasFlag("notransferoids"), symmetra: p.UPS.HasFlag("symmetrathreephase"), pollfreq: time.Duration(pollfreq) * time.Second, client: c}, nil
}

// delays reads ondelay and offdelay: whole numbers of seconds, as NUT's
// atoi would take them, kept as text for the SET.
func delays(p driver.Params) (on, off string, err error) {
	for _, d := range []struct {
		key string
		to  *string
	}{{"ondelay", &on}, {"offdelay", &off}} {
		n, err := p.Int(d.key, -1) // not set: as NUT's -1, no SET
		if err != nil {
			return "", "", err
		}
		if n >= 0 {
			*d.to = strconv.Itoa(n)
		}
	}
	return on, off, nil
}

// v3 sets up SNMPv3 (USM) from secLevel, secName, authPassword,
// privPassword, authProtocol and privProtocol, as NUT reads them.
func v3(c *gosnmp.GoSNMP, p driver.Params) error {
	c.Version, c.SecurityModel = gosnmp.Version3, gosnmp.UserSecurityModel
	sp := &gosnmp.UsmSecurityParameters{AuthenticationProtocol: gosnmp.MD5, PrivacyProtocol: gosnmp.DES}
	name, ok := p.Param("secName")
	if !ok {
		return driver.BadParam("snmp_version", errors.New("snmp_version = v3 needs secName (in ups.conf, or as the unit's credential secName)"))
	}
	sp.UserName = name
	level, _ := p.Param("secLevel")
	switch level {
	case "", "noAuthNoPriv":
		c.MsgFlags = gosnmp.NoAuthNoPriv
	case "authNoPriv":
		c.MsgFlags = gosnmp.AuthNoPriv
	case "authPriv":
		c.MsgFlags = gosnmp.AuthPriv
	default:
		return driver.BadParam("secLevel", fmt.Errorf("secLevel = %s: not one of noAuthNoPriv, authNoPriv, authPriv", level))
	}
	if c.MsgFlags&gosnmp.AuthNoPriv != 0 {
		pw, ok := p.Param("authPassword")
		if !ok {
			return driver.BadParam("secLevel", fmt.Errorf("secLevel = %s needs authPassword (in ups.conf, or as the unit's credential authPassword)", level))
		}
		sp.AuthenticationPassphrase = pw
		if v, ok := p.Param("authProtocol"); ok {
			a, found := map[string]gosnmp.SnmpV3AuthProtocol{"MD5": gosnmp.MD5, "SHA": gosnmp.SHA,
				"SHA256": gosnmp.SHA256, "SHA384": gosnmp.SHA384, "SHA512": gosnmp.SHA512}[v]
			if !found {
				return driver.BadParam("authProtocol", fmt.Errorf("authProtocol = %s: not one of MD5, SHA, SHA256, SHA384, SHA512", v))
			}
			sp.AuthenticationProtocol = a
		}
	} else {
		sp.AuthenticationProtocol = gosnmp.NoAuth
	}
	if c.MsgFlags&gosnmp.AuthPriv == gosnmp.AuthPriv {
		pw, ok := p.Param("privPassword")
		if !ok {
			return driver.BadParam("secLevel", fmt.Errorf("secLevel = %s needs privPassword (in ups.conf, or as the unit's credential privPassword)", level))
		}
		sp.PrivacyPassphrase = pw
		if v, ok := p.Param("privProtocol"); ok {
			pr, found := map[string]gosnmp.SnmpV3PrivProtocol{"DES": gosnmp.DES, "AES": gosnmp.AES,
				"AES192": gosnmp.AES192, "AES256": gosnmp.AES256}[v]
			if !found {
				return driver.BadParam("privProtocol", fmt.Errorf("privProtocol = %s: not one of DES, AES, AES192, AES256", v))
			}
			sp.PrivacyProtocol = pr
		}
	} else {
		sp.PrivacyProtocol = gosnmp.NoPriv
	}
	c.SecurityParameters = sp
	return nil
}

func mappingNamed(name string) *Mapping {
	for _, m := range Mappings {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func mappingNames() string {
	var n []string
	for _, m := range Mappings {
		n = append(n, m.Name)
	}
	return strings.Join(n, ", ")
}

// get is one GET of one OID, decoded as NUT tells the types apart. An
// agent that does not answer (or answers what gosnmp cannot decode, or
// refuses the credentials) is lost until the next Connect.
func (u *Protocol) get(oid string) (Value, bool) {
	if u.lost != nil {
		return Value{}, false
	}
	if a, ok := u.cache[oid]; ok {
		return a.v, a.ok
	}
	r, err := u.client.Get([]string{oid})
	if err != nil {
		u.lost = err
		return Value{}, false
	}
	if r == nil || len(r.Variables) != 1 || r.Error != gosnmp.NoError {
		return Value{}, false
	}
	return decode(r.Variables[0])
}

// maxWalk bounds a walk, which NUT bounds only by INT_MAX requests.
const maxWalk = 1024

// walkTree is nut_snmp_walk for ups.alarms: a GET of oid, then GETNEXT
// from each answer's OID, as long as the OID it starts from is no
// shorter than oid (so the answer that steps out of the subtree is the
// last one kept), and until the agent refuses or answers an exception.
// The exceptions end it as NUT 2.8.1 has it: 2.8.0 kept going, which
// against an SNMPv2c agent at the end of its MIB never ends.
func (u *Protocol) walkTree(oid string) []Walked {
	depth := len(strings.Split(strings.Trim(oid, "."), "."))
	var out []Walked
	name, next := oid, false
	for len(out) < maxWalk && u.lost == nil {
		if len(strings.Split(strings.Trim(name, "."), ".")) < depth {
			break
		}
		var r *gosnmp.SnmpPacket
		var err error
		if next {
			r, err = u.client.GetNext([]string{name})
		} else {
			r, err = u.client.Get([]string{name})
		}
		if err != nil {
			u.lost = err
			break
		}
		if r == nil || r.Error != gosnmp.NoError || len(r.Variables) != 1 {
			break
		}
		pdu := r.Variables[0]
		if pdu.Type == gosnmp.NoSuchObject || pdu.Type == gosnmp.NoSuchInstance || pdu.Type == gosnmp.EndOfMibView {
			break
		}
		v, _ := decode(pdu)
		out = append(out, Walked{OID: pdu.Name, Value: v})
		if next && pdu.Name == name {
			break // an agent that does not move on
		}
		name, next = pdu.Name, true
	}
	return out
}

// answer is what the agent said for one OID of a prefetch.
type answer struct {
	v  Value
	ok bool
}

// prefetchChunk is how many OIDs one GET of a prefetch asks: small
// enough for the 484-byte messages the oldest v1 agents are bound to.
const prefetchChunk = 12

// prefetch asks the agent, a few OIDs to a GET, for what a walk is about
// to read one by one, so that a walk costs a handful of round trips
// instead of one per entry (NUT's snmp-ups sends one GET per entry). An
// SNMPv1 agent refuses a whole GET for one OID it lacks (noSuchName,
// naming it by its index): that OID is marked absent, as its own GET
// would find it, and the rest is asked again; a GET too big for the
// agent (tooBig) is asked in halves. Anything else the agent refuses is
// left to the walk's single GETs, which then answer as NUT's would.
func (u *Protocol) prefetch(oids []string) {
	u.cache = make(map[string]answer, len(oids))
	var todo [][]string
	for len(oids) > 0 {
		n := min(prefetchChunk, len(oids))
		todo, oids = append(todo, oids[:n]), oids[n:]
	}
	for len(todo) > 0 && u.lost == nil {
		chunk := todo[0]
		todo = todo[1:]
		r, err := u.client.Get(chunk)
		if err != nil {
			u.lost = err
			return
		}
		switch {
		case r == nil:
		case r.Error == gosnmp.NoError && len(r.Variables) == len(chunk):
			for i, v := range r.Variables {
				a, ok := decode(v)
				u.cache[chunk[i]] = answer{a, ok}
			}
		case r.Error == gosnmp.NoSuchName && r.ErrorIndex >= 1 && int(r.ErrorIndex) <= len(chunk):
			i := int(r.ErrorIndex) - 1
			u.cache[chunk[i]] = answer{}
			if rest := append(append([]string(nil), chunk[:i]...), chunk[i+1:]...); len(rest) > 0 {
				todo = append([][]string{rest}, todo...)
			}
		case r.Error == gosnmp.TooBig && len(chunk) > 1:
			h := len(chunk) / 2
			todo = append([][]string{chunk[:h], chunk[h:]}, todo...)
		}
	}
}

// decode reads one answer as NUT tells the types apart; false for
// noSuchObject, noSuchInstance and types NUT does not read.
func decode(v gosnmp.SnmpPDU) (Value, bool) {
	switch v.Type {
	case gosnmp.Integer, gosnmp.Counter32, gosnmp.Gauge32, gosnmp.Uinteger32:
		return Value{Kind: Integer, Int: gosnmp.ToBigInt(v.Value).Int64()}, true
	case gosnmp.TimeTicks:
		return Value{Kind: Ticks, Int: gosnmp.ToBigInt(v.Value).Int64()}, true
	case gosnmp.OctetString, gosnmp.Opaque:
		b, _ := v.Value.([]byte)
		return Value{Kind: Octets, Str: string(b)}, true
	case gosnmp.ObjectIdentifier:
		s, _ := v.Value.(string)
		return Value{Kind: ObjectID, Str: s}, true
	}
	return Value{}, false
}

// choose is load_mib2nut. For auto: the first mapping whose sysObjectID
// is the agent's (exactly) and whose model the agent answers, else the
// first whose model it answers. A named mapping must answer for its
// model too, as NUT refuses it otherwise.
func (u *Protocol) choose() (*Mapping, error) {
	if u.mibs != "auto" {
		if m := mappingNamed(u.mibs); m != nil && u.answersModel(m) {
			return m, nil
		}
		if u.lost != nil {
			return nil, u.silent()
		}
		return nil, fmt.Errorf("mibs = %s: the agent at %s:%d does not answer for this mapping's model (%s)",
			u.mibs, u.client.Target, u.client.Port, modelOID(mappingNamed(u.mibs)))
	}
	if v, ok := u.get(".1.3.6.1.2.1.1.2.0"); ok && v.Kind == ObjectID {
		for _, m := range Mappings {
			if m.SysOID != "" && strings.TrimPrefix(v.Str, ".") == strings.TrimPrefix(m.SysOID, ".") && u.answersModel(m) {
				return m, nil
			}
		}
	}
	for _, m := range Mappings {
		if u.answersModel(m) {
			return m, nil
		}
	}
	if u.lost != nil {
		return nil, u.silent()
	}
	return nil, fmt.Errorf("no mapping of sysnut's (%s) fits the agent at %s:%d", mappingNames(), u.client.Target, u.client.Port)
}

// modelOID is what match_model_OID asks: the OID of the table's first
// device.model entry, else of its first ups.model entry.
func modelOID(m *Mapping) string {
	for _, name := range []string{"device.model", "ups.model"} {
		if in := findInfo(m.Table, name); in != nil {
			return in.OID
		}
	}
	return ""
}

func (u *Protocol) answersModel(m *Mapping) bool {
	oid := modelOID(m)
	if oid == "" {
		return false
	}
	_, ok := u.get(oid)
	return ok
}

// Connect reaches the agent, picks the mapping and does NUT's first walk
// and poll.
func (u *Protocol) Connect(ctx context.Context, s *driver.State) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.eng, u.lost = nil, nil
	u.client.Context = ctx
	if err := u.client.Connect(); err != nil {
		return fmt.Errorf("agent %s:%d: %w", u.client.Target, u.client.Port, err)
	}
	// Stopping the driver cuts a request short: gosnmp looks at its
	// context only between tries.
	conn := u.client.Conn
	u.unhook = context.AfterFunc(ctx, func() { conn.Close() })
	m, err := u.choose()
	if err == nil {
		u.log("SNMP mapping chosen", "mibs", m.Name, "version", m.Version)
		eng := NewEngine(m, u.get)
		eng.Walk = u.walkTree
		eng.NoTransferOIDs, eng.SymmetraThreePhase = u.noTransferOIDs, u.symmetra
		g := newStage(s)
		eng.InitUPS(g)
		u.setDelays(eng, g)
		u.prefetch(eng.OIDs(true))
		ok := eng.Init(g)
		u.cache = nil
		if ok && u.walk(eng, g) {
			g.publish()
			u.eng, u.lastPoll = eng, time.Now()
			return nil
		}
		err = u.silent()
	}
	u.closeConn()
	return err
}

// closeConn releases the socket of one Connect.
func (u *Protocol) closeConn() error {
	if u.unhook != nil {
		u.unhook()
		u.unhook = nil
	}
	if u.client.Conn == nil {
		return nil
	}
	err := u.client.Conn.Close()
	u.client.Conn = nil
	return err
}

// walk is one poll, prefetched; true when the agent answered all through
// it and for the table's last entry.
func (u *Protocol) walk(eng *Engine, g *stage) bool {
	u.prefetch(eng.OIDs(false))
	ok := eng.Update(g)
	u.cache = nil
	return ok && u.lost == nil
}

// silent says why a walk failed: the agent was lost, or it answered but
// not for the table's last entry (NUT's test of a good walk).
func (u *Protocol) silent() error {
	at := fmt.Sprintf("%s:%d", u.client.Target, u.client.Port)
	switch {
	case u.lost == nil:
		return fmt.Errorf("agent %s answers, but not for the UPS's objects", at)
	case u.client.Version == gosnmp.Version3 && refused(u.lost):
		return fmt.Errorf("agent %s refuses the credentials of SNMPv3 user %q (secLevel, authProtocol, authPassword, privProtocol, privPassword): %s",
			at, u.client.SecurityParameters.(*gosnmp.UsmSecurityParameters).UserName, cause(u.lost))
	case u.client.Version == gosnmp.Version3:
		return fmt.Errorf("agent %s does not answer SNMPv3 user %q: %s", at, u.client.SecurityParameters.(*gosnmp.UsmSecurityParameters).UserName, cause(u.lost))
	default:
		// The community is a secret: not in the journal.
		return fmt.Errorf("agent %s does not answer SNMP v%s with the community configured: %s", at, u.client.Version, cause(u.lost))
	}
}

// cause is why a request failed, in words that stay the same from one
// attempt to the next (no local port numbers), so that the driver's
// journal says it once.
func cause(err error) string {
	var op *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listens there (ICMP port unreachable)"
	case errors.As(err, &op):
		return op.Err.Error()
	}
	return err.Error()
}

// setDelays is NUT's set_delays: ondelay and offdelay from ups.conf are
// written to the agent as ups.delay.start and ups.delay.shutdown.
func (u *Protocol) setDelays(eng *Engine, v Vars) {
	for _, d := range []struct{ name, value string }{{"ups.delay.start", u.ondelay}, {"ups.delay.shutdown", u.offdelay}} {
		if d.value != "" {
			eng.Set(v, u.set, d.name, d.value, true, false)
		}
	}
}

// KillPower is upsdrv_shutdown: shutdown.return, else shutdown.reboot,
// else load.off.delay, each as the table writes it, after the delays.
func (u *Protocol) KillPower(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.eng == nil {
		return errors.New("not connected to the agent")
	}
	var v Vars = newStage(nil)
	u.setDelays(u.eng, v)
	for _, cmd := range []string{"shutdown.return", "shutdown.reboot", "load.off.delay"} {
		if u.eng.Set(v, u.set, cmd, "", false, true) == SetHandled {
			u.log("SNMP UPS told to shut down", "command", cmd)
			return nil
		}
	}
	return fmt.Errorf("agent %s:%d: none of shutdown.return, shutdown.reboot, load.off.delay was taken", u.client.Target, u.client.Port)
}

// refused tells an agent's report on the USM credentials (or a reply
// that fails their check) from silence.
func refused(err error) bool {
	for _, e := range []error{gosnmp.ErrWrongDigest, gosnmp.ErrUnknownUsername, gosnmp.ErrDecryption,
		gosnmp.ErrUnknownSecurityLevel, gosnmp.ErrNotInTimeWindow} {
		if errors.Is(err, e) {
			return true
		}
	}
	// gosnmp does not export this one.
	return strings.Contains(err.Error(), "not authentic")
}

// Poll walks the table every pollfreq, as NUT's snmp-ups does. The walk
// is published only when the agent answered all through it: a walk cut
// short would publish a status missing its parts.
func (u *Protocol) Poll(ctx context.Context, s *driver.State) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if time.Since(u.lastPoll) < u.pollfreq {
		return nil
	}
	g := newStage(s)
	ok := u.walk(u.eng, g)
	u.lastPoll = time.Now()
	if !ok {
		return u.silent()
	}
	g.publish()
	return nil
}

// Close releases the socket.
func (u *Protocol) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.eng = nil
	return u.closeConn()
}

// set is one SET of one OID, typed as NUT types it.
func (u *Protocol) set(oid string, kind byte, value string) bool {
	pdu := gosnmp.SnmpPDU{Name: oid}
	switch kind {
	case 's':
		pdu.Type, pdu.Value = gosnmp.OctetString, []byte(value)
	case 'i':
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil {
			return false
		}
		pdu.Type, pdu.Value = gosnmp.Integer, int(n)
	case 't':
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return false
		}
		pdu.Type, pdu.Value = gosnmp.TimeTicks, uint32(n)
	}
	r, err := u.client.Set([]gosnmp.SnmpPDU{pdu})
	if err != nil || r == nil || r.Error != gosnmp.NoError {
		u.log("SNMP SET refused", "oid", oid, "value", value, "error", fmt.Sprint(err, " ", errStatus(r)))
		return false
	}
	return true
}

func errStatus(r *gosnmp.SnmpPacket) string {
	if r == nil {
		return ""
	}
	return r.Error.String()
}

// SetVar is NUT's su_setvar.
func (u *Protocol) SetVar(_ context.Context, s *driver.State, name, value string) int {
	return u.setOID(s, name, value, true, false)
}

// InstCmd is NUT's su_instcmd: the command's value is param, else the
// table's.
func (u *Protocol) InstCmd(_ context.Context, s *driver.State, name, param string) int {
	return u.setOID(s, name, param, param != "", true)
}

func (u *Protocol) setOID(s *driver.State, name, value string, has, cmd bool) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.eng == nil {
		return driversock.StatusFailed
	}
	g := newStage(s)
	r := u.eng.Set(g, u.set, name, value, has, cmd)
	g.publish()
	switch r {
	case SetHandled:
		return driversock.StatusHandled
	case SetInvalid:
		return driversock.StatusInvalid
	case SetFailed:
		return driversock.StatusFailed
	}
	return driversock.StatusUnknown
}

// adapter lets the engine publish into the driver's state.
type adapter struct{ driver.StringVars }

func newAdapter(v *driver.Vars) adapter { return adapter{driver.StringVars{Vars: v}} }

func (a adapter) SetType(n string, rw, str bool, aux int) {
	var f state.Flags
	if rw {
		f |= state.RW
	}
	if str {
		f |= state.String
	}
	a.SetFlags(n, f)
	a.SetAux(n, aux)
}
