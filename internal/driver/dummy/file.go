// Package dummy is NUT's dummy-ups: a UPS simulated from a file (.dev read
// once and re-read when it changes, .seq played in a loop with TIMER
// pauses), or a repeater of a UPS on another upsd.
package dummy

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/nutproto"
)

// Entry is one line of a .dev or .seq file: a variable to set (or delete,
// when Value is empty), or a pause.
type Entry struct {
	Line  int
	Var   string
	Value string
	Timer time.Duration // a TIMER line when > 0
}

// maxTimer is the longest TIMER pause accepted.
const maxTimer = 365 * 24 * time.Hour

// Parse reads a dummy-ups data file. Lines are "name: value words" (the
// words joined with single spaces; anything glued after the colon is
// dropped, as NUT does) or "TIMER seconds"; driver.* lines are skipped.
func Parse(name string, data []byte) ([]Entry, error) {
	var out []Entry
	var errs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 4096), 1<<20)
	num := 0
	for sc.Scan() {
		num++
		w, err := nutproto.Split(sc.Text())
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v", name, num, err))
			continue
		}
		if len(w) == 0 {
			continue
		}
		if w[0] == "TIMER" {
			secs, err := strconv.ParseFloat(strings.Join(w[1:], ""), 64)
			if len(w) != 2 || err != nil || secs <= 0 {
				errs = append(errs, fmt.Sprintf("%s:%d: TIMER needs a positive number of seconds", name, num))
				continue
			}
			if secs > maxTimer.Seconds() {
				// Beyond this time.Duration overflows; no sequence needs it.
				errs = append(errs, fmt.Sprintf("%s:%d: TIMER %s is more than a year", name, num, w[1]))
				continue
			}
			out = append(out, Entry{Line: num, Timer: time.Duration(secs * float64(time.Second))})
			continue
		}
		v, _, ok := strings.Cut(w[0], ":")
		if !ok || v == "" {
			errs = append(errs, fmt.Sprintf("%s:%d: expected 'name: value' or 'TIMER seconds', got %q", name, num, sc.Text()))
			continue
		}
		if strings.HasPrefix(v, "driver.") {
			continue
		}
		if !validName(v) {
			errs = append(errs, fmt.Sprintf("%s:%d: invalid variable name %q", name, num, v))
			continue
		}
		out = append(out, Entry{Line: num, Var: v, Value: strings.Join(w[1:], " ")})
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Sprintf("%s: %v", name, err))
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
