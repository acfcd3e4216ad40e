// Package state holds a UPS's variables and instant commands the way NUT's
// common state tree does: names match case-insensitively, variables list in
// case-insensitive order, each variable may carry flags, an aux length,
// enumerated values and ranges. Drivers own one as the source of truth and
// upsd mirrors it from the driver socket.
package state

import (
	"sort"
	"strings"
)

// Flags are a variable's ST_FLAG_* bits.
type Flags uint8

// Variable flags as the driver socket names them.
const (
	RW     Flags = 1 << iota // writable with SET VAR
	String                   // a string of at most Aux characters
	Number                   // explicitly numeric
)

// Range is an inclusive integer range of allowed values.
type Range struct{ Min, Max int }

// Var is one variable.
type Var struct {
	Name   string // spelling of the first SETINFO
	Value  string
	Flags  Flags
	Aux    int
	Enums  []string
	Ranges []Range
}

// Tree is a UPS's state. It is not safe for concurrent use; owners lock.
type Tree struct {
	vars   map[string]*Var
	sorted []*Var // by lower-cased name, kept on every change so readers never write
	cmds   []string
}

// New returns an empty tree.
func New() *Tree { return &Tree{vars: map[string]*Var{}} }

func key(name string) string { return strings.ToLower(name) }

// Get returns the variable called name, or nil.
func (t *Tree) Get(name string) *Var { return t.vars[key(name)] }

// Set creates or updates a variable and reports whether anything changed.
func (t *Tree) Set(name, value string) bool {
	k := key(name)
	if v, ok := t.vars[k]; ok {
		if v.Value == value {
			return false
		}
		v.Value = value
		return true
	}
	v := &Var{Name: name, Value: value}
	t.vars[k] = v
	i := t.index(k)
	t.sorted = append(t.sorted, nil)
	copy(t.sorted[i+1:], t.sorted[i:])
	t.sorted[i] = v
	return true
}

// Delete removes a variable and reports whether it existed.
func (t *Tree) Delete(name string) bool {
	k := key(name)
	if _, ok := t.vars[k]; !ok {
		return false
	}
	delete(t.vars, k)
	i := t.index(k)
	t.sorted = append(t.sorted[:i:i], t.sorted[i+1:]...)
	return true
}

// AddEnum appends an allowed value to an existing variable, once.
func (t *Tree) AddEnum(name, value string) bool {
	v := t.Get(name)
	if v == nil {
		return false
	}
	for _, e := range v.Enums {
		if e == value {
			return false
		}
	}
	v.Enums = append(v.Enums, value)
	return true
}

// DeleteEnum removes an allowed value.
func (t *Tree) DeleteEnum(name, value string) bool {
	v := t.Get(name)
	if v == nil {
		return false
	}
	for i, e := range v.Enums {
		if e == value {
			v.Enums = append(v.Enums[:i:i], v.Enums[i+1:]...)
			return true
		}
	}
	return false
}

// AddRange appends an allowed range to an existing variable, once.
func (t *Tree) AddRange(name string, r Range) bool {
	v := t.Get(name)
	if v == nil {
		return false
	}
	for _, e := range v.Ranges {
		if e == r {
			return false
		}
	}
	v.Ranges = append(v.Ranges, r)
	return true
}

// DeleteRange removes an allowed range.
func (t *Tree) DeleteRange(name string, r Range) bool {
	v := t.Get(name)
	if v == nil {
		return false
	}
	for i, e := range v.Ranges {
		if e == r {
			v.Ranges = append(v.Ranges[:i:i], v.Ranges[i+1:]...)
			return true
		}
	}
	return false
}

// SetAux sets the maximum length of a STRING variable.
func (t *Tree) SetAux(name string, aux int) bool {
	v := t.Get(name)
	if v == nil || v.Aux == aux {
		return false
	}
	v.Aux = aux
	return true
}

// SetFlags replaces a variable's flags.
func (t *Tree) SetFlags(name string, f Flags) bool {
	v := t.Get(name)
	if v == nil || v.Flags == f {
		return false
	}
	v.Flags = f
	return true
}

// index is where the variable with lower-cased name k is or would be.
func (t *Tree) index(k string) int {
	return sort.Search(len(t.sorted), func(i int) bool { return key(t.sorted[i].Name) >= k })
}

// Vars returns the variables in case-insensitive order; do not modify the
// slice. Reading it is safe alongside other readers.
func (t *Tree) Vars() []*Var { return t.sorted }

// Len is the number of variables.
func (t *Tree) Len() int { return len(t.vars) }

// AddCmd adds an instant command, keeping the list in case-insensitive
// order without duplicates, as NUT does.
func (t *Tree) AddCmd(name string) bool {
	k := key(name)
	i := sort.Search(len(t.cmds), func(i int) bool { return key(t.cmds[i]) >= k })
	if i < len(t.cmds) && key(t.cmds[i]) == k {
		return false
	}
	t.cmds = append(t.cmds, "")
	copy(t.cmds[i+1:], t.cmds[i:])
	t.cmds[i] = name
	return true
}

// DeleteCmd removes an instant command.
func (t *Tree) DeleteCmd(name string) bool {
	k := key(name)
	for i, c := range t.cmds {
		if key(c) == k {
			t.cmds = append(t.cmds[:i:i], t.cmds[i+1:]...)
			return true
		}
	}
	return false
}

// HasCmd reports whether the instant command exists.
func (t *Tree) HasCmd(name string) bool {
	k := key(name)
	for _, c := range t.cmds {
		if key(c) == k {
			return true
		}
	}
	return false
}

// Cmds returns the instant commands in order; do not modify the slice.
func (t *Tree) Cmds() []string { return t.cmds }

// ParseFlags reads the words of a SETFLAGS line. Unknown words are ignored,
// as NUT ignores them.
func ParseFlags(words []string) Flags {
	var f Flags
	for _, w := range words {
		switch strings.ToUpper(w) {
		case "RW":
			f |= RW
		case "STRING":
			f |= String
		case "NUMBER":
			f |= Number
		}
	}
	return f
}

// Words renders flags as SETFLAGS words.
func (f Flags) Words() []string {
	var w []string
	if f&RW != 0 {
		w = append(w, "RW")
	}
	if f&String != 0 {
		w = append(w, "STRING")
	}
	if f&Number != 0 {
		w = append(w, "NUMBER")
	}
	return w
}
