package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sysnut/sysnut/internal/nutproto"
)

// Default locations, as Debian's NUT packages use them so that sysnut can
// take over an existing installation.
const (
	DefaultConfPath  = "/etc/nut"
	DefaultStatePath = "/run/nut"
	DefaultDataPath  = "/usr/share/nut"
)

// ConfPath is the configuration directory: $NUT_CONFPATH or /etc/nut.
func ConfPath() string {
	if p := os.Getenv("NUT_CONFPATH"); p != "" {
		return p
	}
	return DefaultConfPath
}

// Credential returns the copy of path that systemd passed with
// LoadCredential= (a credential named after the file), or path itself.
// It lets upsd (a dynamic user) and the D-Bus service read secrets that
// stay root's in /etc/nut.
func Credential(path string) string {
	dir := os.Getenv("CREDENTIALS_DIRECTORY")
	if dir == "" || path == "" {
		return path
	}
	c := filepath.Join(dir, filepath.Base(path))
	if _, err := os.Stat(c); err == nil {
		return c
	}
	return path
}

// StatePath resolves the driver socket directory as NUT does: $NUT_STATEPATH,
// then ups.conf's global statepath, then upsd.conf's STATEPATH, then the
// built-in default. Either config may be nil.
func StatePath(ups *UPSConf, upsd *UpsdConf) string {
	if p := os.Getenv("NUT_STATEPATH"); p != "" {
		return p
	}
	if ups != nil && ups.StatePath != "" {
		return ups.StatePath
	}
	if upsd != nil && upsd.StatePath != "" {
		return upsd.StatePath
	}
	return DefaultStatePath
}

// Error is one problem in a config file.
type Error struct {
	File string
	Line int // 0 when the problem concerns the whole file
	Err  error
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// line is one logical line of a config file.
type line struct {
	num   int
	words []string
}

// problems collects the errors of one file.
type problems struct {
	file string
	errs []error
}

func (p *problems) add(num int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: num, Err: fmt.Errorf(format, args...)})
}

// err returns the problems in line order.
func (p *problems) err() error {
	sort.SliceStable(p.errs, func(i, j int) bool {
		return p.errs[i].(*Error).Line < p.errs[j].(*Error).Line
	})
	return errors.Join(p.errs...)
}

// lex splits data into logical lines. A line with a parse error is reported
// and dropped whole, up to the end of its physical line.
func lex(p *problems, data []byte) []line {
	var (
		lx    nutproto.Lexer
		out   []line
		num   = 1 // physical line of the current byte
		start = 1 // physical line where the current logical line began
		skip  bool
	)
	for _, c := range data {
		if skip {
			if c == '\n' {
				skip = false
				num++
				start = num
			}
			continue
		}
		if !lx.Pending() {
			start = num
		}
		switch lx.Feed(c) {
		case nutproto.Line:
			if w := lx.Words(); len(w) > 0 {
				out = append(out, line{num: start, words: append([]string(nil), w...)})
			}
		case nutproto.Failed:
			p.add(start, "%v; line ignored", lx.Err())
			skip = c != '\n'
		}
		if c == '\n' {
			num++
		}
	}
	if !skip && lx.Pending() {
		if lx.Feed('\n') == nutproto.Line {
			if w := lx.Words(); len(w) > 0 {
				out = append(out, line{num: start, words: append([]string(nil), w...)})
			}
		} else {
			p.add(start, "unterminated quoted word at end of file")
		}
	}
	return out
}

// readFile reads a config file, naming it in the error.
func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	return data, nil
}

// In returns the path of a config file in the configuration directory.
func In(name string) string { return filepath.Join(ConfPath(), name) }

// section reports whether w is a "[name]" header and its name. A header
// split into several words ("[my ups]") is a header with a bad name.
func section(w []string) (string, bool) {
	first, last := w[0], w[len(w)-1]
	if first == "" || last == "" || first[0] != '[' || last[len(last)-1] != ']' {
		return "", false
	}
	s := strings.Join(w, " ")
	return s[1 : len(s)-1], true
}

// keyValue reads "key = value" and reports problems with the shape.
func keyValue(p *problems, l line) (key, value string, ok bool) {
	w := l.words
	switch {
	case len(w) == 3 && w[1] == "=":
		return w[0], w[2], true
	case len(w) > 3 && w[1] == "=":
		p.add(l.num, "%s: value has %d words; put it in double quotes", w[0], len(w)-2)
	case len(w) == 2 && w[1] == "=":
		p.add(l.num, "%s: missing value after '='", w[0])
	default:
		p.add(l.num, "expected 'name = value', got %q", strings.Join(w, " "))
	}
	return "", "", false
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "on", "yes", "1":
		return true, nil
	case "false", "off", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true/on/yes/1 or false/off/no/0)", s)
}

func parseUint(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return n, nil
}
