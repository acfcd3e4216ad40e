// Package cmdvartab reads NUT's cmdvartab, the table of descriptions that
// upsd serves for GET DESC and GET CMDDESC.
package cmdvartab

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/sysnut/sysnut/internal/nutproto"
)

// Table maps lower-cased variable and command names to their descriptions.
type Table struct {
	vars map[string]string
	cmds map[string]string
}

// Var returns the description of a variable.
func (t *Table) Var(name string) (string, bool) {
	if t == nil {
		return "", false
	}
	d, ok := t.vars[strings.ToLower(name)]
	return d, ok
}

// Cmd returns the description of an instant command.
func (t *Table) Cmd(name string) (string, bool) {
	if t == nil {
		return "", false
	}
	d, ok := t.cmds[strings.ToLower(name)]
	return d, ok
}

// Load reads a cmdvartab file.
func Load(path string) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads cmdvartab data: lines of `VARDESC name "text"` and
// `CMDDESC name "text"`, with '#' comments.
func Parse(name string, data []byte) (*Table, error) {
	t := &Table{vars: map[string]string{}, cmds: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	num := 0
	for sc.Scan() {
		num++
		w, err := nutproto.Split(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, num, err)
		}
		if len(w) == 0 {
			continue
		}
		if len(w) != 3 {
			return nil, fmt.Errorf("%s:%d: expected 'VARDESC|CMDDESC name \"text\"'", name, num)
		}
		switch w[0] {
		case "VARDESC":
			t.vars[strings.ToLower(w[1])] = w[2]
		case "CMDDESC":
			t.cmds[strings.ToLower(w[1])] = w[2]
		default:
			return nil, fmt.Errorf("%s:%d: unknown keyword %q", name, num, w[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}
