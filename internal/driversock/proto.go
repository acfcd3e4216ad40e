package driversock

import (
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

// apply changes t by one driver -> upsd line that edits state and reports
// whether the line was such a line.
func apply(t *state.Tree, w []string) bool {
	if len(w) < 2 {
		return false
	}
	op := strings.ToUpper(w[0])
	if op != "TRACKING" && !ValidName(w[1]) {
		// Such a name could not be written back unquoted: refuse it.
		return op == "SETINFO" || op == "DELINFO" || op == "ADDENUM" || op == "DELENUM" ||
			op == "ADDRANGE" || op == "DELRANGE" || op == "SETAUX" || op == "SETFLAGS" ||
			op == "ADDCMD" || op == "DELCMD"
	}
	switch op {
	case "SETINFO":
		if len(w) >= 3 {
			t.Set(w[1], w[2])
			return true
		}
	case "DELINFO":
		t.Delete(w[1])
		return true
	case "ADDENUM":
		if len(w) >= 3 {
			t.AddEnum(w[1], w[2])
			return true
		}
	case "DELENUM":
		if len(w) >= 3 {
			t.DeleteEnum(w[1], w[2])
			return true
		}
	case "ADDRANGE", "DELRANGE":
		if len(w) >= 4 {
			r := state.Range{Min: nutproto.Atoi(w[2]), Max: nutproto.Atoi(w[3])}
			if strings.EqualFold(w[0], "ADDRANGE") {
				t.AddRange(w[1], r)
			} else {
				t.DeleteRange(w[1], r)
			}
			return true
		}
	case "SETAUX":
		if len(w) >= 3 {
			t.SetAux(w[1], nutproto.Atoi(w[2]))
			return true
		}
	case "SETFLAGS":
		t.SetFlags(w[1], state.ParseFlags(w[2:]))
		return true
	case "ADDCMD":
		t.AddCmd(w[1])
		return true
	case "DELCMD":
		t.DeleteCmd(w[1])
		return true
	}
	return false
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
