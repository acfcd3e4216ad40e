package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Entry is one journal entry of interest.
type Entry struct {
	Time    time.Time
	Boot    string // _BOOT_ID
	Type    string // NOTIFYTYPE, or TESTRESULT for a driver's entry
	UPS     string // as written: ups@host from upsmon, the UPS's name from a driver
	Message string
	Fields  map[string]string // every other field written as text
}

// maxEntry bounds one line of journalctl -o json.
const maxEntry = 1 << 20

// ParseJSON reads `journalctl -o json` output (one object per line) and
// keeps the entries written with one of our MESSAGE_IDs, dropping
// notifications sent as tests (TEST=1).
func ParseJSON(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEntry)
	types := knownTypes()
	var out []Entry
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("journal line %d: %w", line, err)
		}
		f := make(map[string]string, len(raw))
		for k, v := range raw {
			if s, ok := text(v); ok {
				f[k] = s
			}
		}
		typ, ok := types[f["MESSAGE_ID"]]
		if !ok || f["TEST"] == "1" {
			continue
		}
		if typ == "" {
			typ = f["NOTIFYTYPE"]
		}
		usec, err := strconv.ParseInt(f["__REALTIME_TIMESTAMP"], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("journal line %d: __REALTIME_TIMESTAMP %q", line, f["__REALTIME_TIMESTAMP"])
		}
		e := Entry{Time: time.UnixMicro(usec).UTC(), Boot: f["_BOOT_ID"], Type: typ, UPS: f["UPS"], Message: f["MESSAGE"], Fields: f}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return out, nil
}

// text is a field's value: journalctl writes text as a JSON string and
// anything else as an array of bytes (or null when too large).
func text(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	var bs []byte
	var ints []int
	if json.Unmarshal(v, &ints) != nil {
		return "", false
	}
	for _, i := range ints {
		if i < 0 || i > 255 {
			return "", false
		}
		bs = append(bs, byte(i))
	}
	return string(bs), true
}

// NotifyTypes are upsmon's notification types the history reads.
var NotifyTypes = []string{"ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "REPLBATT", "NOCOMM",
	"CAL", "NOTCAL", "OFF", "NOTOFF", "BYPASS", "NOTBYPASS", "OVER", "NOTOVER", "TRIM", "NOTTRIM", "BOOST", "NOTBOOST",
	"ALARM", "NOTALARM", "ECO", "NOTECO"}

// knownTypes maps each MESSAGE_ID read to its type ("" for upsmon's,
// whose type is NOTIFYTYPE).
func knownTypes() map[string]string {
	m := map[string]string{TestResultID: "TESTRESULT"}
	for _, t := range NotifyTypes {
		m[NotifyID(t)] = ""
	}
	return m
}

// MessageIDs are the journal matches for every entry the history reads.
func MessageIDs() []string {
	out := []string{TestResultID}
	for _, t := range NotifyTypes {
		out = append(out, NotifyID(t))
	}
	return out
}
