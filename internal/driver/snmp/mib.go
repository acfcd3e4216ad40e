// Package snmp is NUT's snmp-ups: a UPS behind an SNMP agent (a network
// card), read through NUT's MIB-to-NUT mapping tables with NUT's walk,
// formatting and status rules, over gosnmp.
package snmp

// Flag is NUT's snmp_info_t flags (snmp-ups.h SU_*).
type Flag uint64

// Flags of a table entry.
const (
	OK          Flag = 1 << 0  // published (cleared when the agent lacks it)
	Static      Flag = 1 << 1  // read once, at start
	Absent      Flag = 1 << 2  // not read: the default is published
	NegInvalid  Flag = 1 << 4  // a negative value means "unknown"
	Unique      Flag = 1 << 5  // the first entry of the variable that answers wins
	ZeroInvalid Flag = 1 << 6  // 0 means "unknown"
	NAInvalid   Flag = 1 << 7  // "N/A" means "unknown"
	CmdOffset   Flag = 1 << 8  // commands: the OID index is one more
	SemiStatic  Flag = 1 << 9  // read every semistaticfreq walks
	Input1      Flag = 1 << 12 // only with one input phase
	Input3      Flag = 1 << 13 // only with three input phases
	Output1     Flag = 1 << 14
	Output3     Flag = 1 << 15
	Bypass1     Flag = 1 << 16
	Bypass3     Flag = 1 << 17
	TypeInt     Flag = 1 << 18 // SET as an integer
	TypeTime    Flag = 1 << 19 // SET as time ticks
	Cmd         Flag = 1 << 20 // an instant command
	// Outlet and Ambient mark templates (NUT's SU_OUTLET and
	// SU_AMBIENT_TEMPLATE): "%i" in the name, OID and default stands for
	// each outlet or sensor, numbered as the agent numbers them.
	Outlet     Flag = 1 << 21
	Ambient    Flag = 1 << 22
	StatusPwr  Flag = 1 << 28 // a power status element of ups.status
	StatusBatt Flag = 1 << 29 // a battery status element
	StatusCal  Flag = 1 << 30 // a calibration status element
	StatusRB   Flag = 1 << 31 // a replace-battery status element

	templates = Outlet | Ambient
	inPhases  = Input1 | Input3
	outPhases = Output1 | Output3
	bypPhases = Bypass1 | Bypass3
)

// infoSize is the length NUT gives string variables (SU_INFOSIZE).
const infoSize = 128

// Info is one entry of a mapping table (NUT's snmp_info_t).
type Info struct {
	Var string
	// String and RW are NUT's ST_FLAG_STRING and ST_FLAG_RW.
	String, RW bool
	// Len is a string variable's length, or a number's multiplier.
	Len float64
	// OID is read for the value; "" with a Default is a value held by
	// the driver.
	OID     string
	Default string
	Flags   Flag
	Lookup  *Lookup
}

// Lookup maps an integer the agent answers to NUT's text (info_lkp_t).
type Lookup struct {
	Values []LookupValue
	// Num, when set, is NUT's fun_vp2s for a number: it replaces the
	// Values in every search (Values then hold only NUT's "dummy" line,
	// which a writable variable still lists as its enumeration).
	Num func(e *Engine, n int64) string
	// Str is fun_vp2s for a string value (su_find_strval).
	Str func(s string) string
}

// LookupValue is one line of a Lookup.
type LookupValue struct {
	OID  int64
	Text string
}

// endText ends a lookup for NUT's searches (not for its list of
// enumerated values): cyberpower's power status starts with it, so NUT
// finds none of that lookup's states.
const endText = "NULL"

// find is NUT's su_find_infoval.
func (l *Lookup) find(e *Engine, v int64) (string, bool) {
	if l == nil {
		return "", false
	}
	if l.Num != nil {
		return l.Num(e, v), true
	}
	for _, e := range l.Values {
		if e.Text == endText {
			break
		}
		if e.OID == v {
			return e.Text, true
		}
	}
	return "", false
}

// value is NUT's su_find_valinfo: the number for a text, or -1.
func (l *Lookup) value(text string) int64 {
	for _, e := range l.Values {
		if e.Text == endText {
			break
		}
		if e.Text == text {
			return e.OID
		}
	}
	return -1
}

// Mapping is one MIB's table and how mibs=auto recognises it (NUT's
// mib2nut_info_t).
type Mapping struct {
	Name, Version string
	// PowerStatusOID and AutoCheckOID are NUT's oid_pwr_status and
	// oid_auto_check, kept as NUT lists them (snmp-ups -x mibs=--list);
	// NUT's probe does not read them: mibs=auto matches SysOID exactly
	// against the agent's sysObjectID, then asks the table's model OID
	// (see Protocol.choose).
	PowerStatusOID, AutoCheckOID string
	SysOID                       string
	Table                        []Info
	// Alarms are NUT's alarms_info_t: an entry named ups.alarms walks
	// the agent's alarm table, whose values are OIDs; each known one
	// adds its status word and its ups.alarm text.
	Alarms []Alarm
}

// Alarm is one line of a mapping's alarm table.
type Alarm struct {
	OID           string
	Status, Alarm string // "" for none
}
