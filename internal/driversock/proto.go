package driversock

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/state"
)

// Tracking statuses a driver reports with "TRACKING <id> <status>".
const (
	StatusHandled          = 0
	StatusUnknown          = 1
	StatusInvalid          = 2
	StatusFailed           = 3
	StatusConversionFailed = 4
)

// Limits bound what upsd keeps of one driver's state, so that a broken or
// hostile driver cannot make upsd grow without end. Real UPSes stay far
// below them (a USB HID UPS publishes some 150 variables).
type Limits struct {
	Vars     int // variables
	Cmds     int // instant commands
	Enums    int // enumerated values per variable
	Ranges   int // ranges per variable
	ValueLen int // characters of a value or enum as served, escapes included
}

// DefaultLimits are upsd's limits. ValueLen is NUT's: its state tree serves
// at most ST_MAX_VALUE_LEN-1 = 255 escaped characters of a value.
var DefaultLimits = Limits{Vars: 4096, Cmds: 1024, Enums: 256, Ranges: 64, ValueLen: 255}

// limitError says which limit a driver line hit.
type limitError struct{ what string }

func (e *limitError) Error() string { return e.what }

// clip shortens v so that its escaped form fits in n characters, never
// splitting an escape, as NUT's pconf_encode into a 256-byte buffer does.
func clip(v string, n int) (string, bool) {
	if n <= 0 || len(v) <= n/2 { // fits even if every byte is escaped
		return v, false
	}
	size := 0
	for i := 0; i < len(v); i++ {
		w := 1
		if v[i] == '"' || v[i] == '\\' {
			w = 2
		}
		if size+w > n {
			return v[:i], true
		}
		size += w
	}
	return v, false
}

// apply changes t by one driver -> upsd line that edits state and reports
// whether the line was such a line. A line that would pass lim is cut to
// it (a value) or ignored (a new variable, command, enum or range), and
// the error says which limit it hit.
func apply(t *state.Tree, w []string, lim Limits) (bool, error) {
	if len(w) < 2 {
		return false, nil
	}
	op := strings.ToUpper(w[0])
	if op != "TRACKING" && !ValidName(w[1]) {
		// Such a name could not be written back unquoted: refuse it.
		return op == "SETINFO" || op == "DELINFO" || op == "ADDENUM" || op == "DELENUM" ||
			op == "ADDRANGE" || op == "DELRANGE" || op == "SETAUX" || op == "SETFLAGS" ||
			op == "ADDCMD" || op == "DELCMD", nil
	}
	switch op {
	case "SETINFO":
		if len(w) < 3 {
			break
		}
		if lim.Vars > 0 && t.Get(w[1]) == nil && t.Len() >= lim.Vars {
			return true, &limitError{fmt.Sprintf("more than %d variables: %s ignored", lim.Vars, w[1])}
		}
		v, cut := clip(w[2], lim.ValueLen)
		t.Set(w[1], v)
		if cut {
			return true, &limitError{fmt.Sprintf("value of %s longer than %d characters: cut", w[1], lim.ValueLen)}
		}
		return true, nil
	case "DELINFO":
		t.Delete(w[1])
		return true, nil
	case "ADDENUM":
		if len(w) < 3 {
			break
		}
		if v := t.Get(w[1]); lim.Enums > 0 && v != nil && len(v.Enums) >= lim.Enums {
			return true, &limitError{fmt.Sprintf("more than %d enumerated values for %s: ignored", lim.Enums, w[1])}
		}
		e, cut := clip(w[2], lim.ValueLen)
		t.AddEnum(w[1], e)
		if cut {
			return true, &limitError{fmt.Sprintf("enumerated value of %s longer than %d characters: cut", w[1], lim.ValueLen)}
		}
		return true, nil
	case "DELENUM":
		if len(w) >= 3 {
			t.DeleteEnum(w[1], w[2])
			return true, nil
		}
	case "ADDRANGE", "DELRANGE":
		if len(w) < 4 {
			break
		}
		r := state.Range{Min: nutproto.Atoi(w[2]), Max: nutproto.Atoi(w[3])}
		if op == "DELRANGE" {
			t.DeleteRange(w[1], r)
			return true, nil
		}
		if v := t.Get(w[1]); lim.Ranges > 0 && v != nil && len(v.Ranges) >= lim.Ranges {
			return true, &limitError{fmt.Sprintf("more than %d ranges for %s: ignored", lim.Ranges, w[1])}
		}
		t.AddRange(w[1], r)
		return true, nil
	case "SETAUX":
		if len(w) >= 3 {
			t.SetAux(w[1], nutproto.Atoi(w[2]))
			return true, nil
		}
	case "SETFLAGS":
		t.SetFlags(w[1], state.ParseFlags(w[2:]))
		return true, nil
	case "ADDCMD":
		if lim.Cmds > 0 && !t.HasCmd(w[1]) && len(t.Cmds()) >= lim.Cmds {
			return true, &limitError{fmt.Sprintf("more than %d instant commands: %s ignored", lim.Cmds, w[1])}
		}
		t.AddCmd(w[1])
		return true, nil
	case "DELCMD":
		t.DeleteCmd(w[1])
		return true, nil
	}
	return false, nil
}

// ValidName reports whether s can name a variable or command: non-empty
// and free of the characters that the lexer treats specially.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '#' || c == '=' {
			return false
		}
	}
	return true
}

// AppendDump renders the reply to DUMPALL: every variable with its enums,
// ranges, aux and flags in case-insensitive order, the commands, then
// DATAOK or a leading DATASTALE, and DUMPDONE.
func AppendDump(b []byte, t *state.Tree, stale bool) []byte {
	if stale {
		b = append(b, "DATASTALE\n"...)
	}
	for _, v := range t.Vars() {
		b = appendLine(b, "SETINFO", v.Name, nutproto.Quote(v.Value))
		for _, e := range v.Enums {
			b = appendLine(b, "ADDENUM", v.Name, nutproto.Quote(e))
		}
		for _, r := range v.Ranges {
			b = appendLine(b, "ADDRANGE", v.Name, strconv.Itoa(r.Min), strconv.Itoa(r.Max))
		}
		if v.Aux != 0 {
			b = appendLine(b, "SETAUX", v.Name, strconv.Itoa(v.Aux))
		}
		if v.Flags != 0 {
			b = appendLine(b, append([]string{"SETFLAGS", v.Name}, v.Flags.Words()...)...)
		}
	}
	for _, c := range t.Cmds() {
		b = appendLine(b, "ADDCMD", c)
	}
	if !stale {
		b = append(b, "DATAOK\n"...)
	}
	return append(b, "DUMPDONE\n"...)
}

func appendLine(b []byte, words ...string) []byte {
	for i, w := range words {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	return append(b, '\n')
}
