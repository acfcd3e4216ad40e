package config

import (
	"strings"
)

// UPSConf is ups.conf.
type UPSConf struct {
	File      string
	StatePath string            // global statepath
	Global    map[string]string // every global directive, by lower-cased name
	UPS       []UPS             // sections in file order
}

// UPS is one [name] section of ups.conf.
type UPS struct {
	Name   string
	Line   int
	Driver string
	Port   string
	Desc   string
	// Params holds every "key = value" of the section, driver-specific ones
	// included, in file order; Flags the one-word lines, and FlagLines
	// the line of each.
	Params    []Param
	Flags     []string
	FlagLines []int
}

// Param is one "key = value" line.
type Param struct {
	Key, Value string
	Line       int
}

// Get returns the last value given for key, compared without case as
// NUT's getval does for driver options. (NUT's own keys, driver and port,
// are matched exactly when the section is parsed, as NUT's main.c does.)
func (u *UPS) Get(key string) (string, bool) {
	if i := u.last(key); i >= 0 {
		return u.Params[i].Value, true
	}
	return "", false
}

// LineOf is the line of the value Get returns for key, or the section's
// line when the key is not there.
func (u *UPS) LineOf(key string) int {
	if i := u.last(key); i >= 0 {
		return u.Params[i].Line
	}
	return u.Line
}

// last is the index of key's last line in Params, or -1.
func (u *UPS) last(key string) int {
	for i := len(u.Params) - 1; i >= 0; i-- {
		if strings.EqualFold(u.Params[i].Key, key) {
			return i
		}
	}
	return -1
}

// HasFlag reports whether the flag is set: a one-word line, or, as NUT's
// drivers take it, the flag's name given a value ("nolock = yes").
func (u *UPS) HasFlag(flag string) bool {
	for _, f := range u.Flags {
		if strings.EqualFold(f, flag) {
			return true
		}
	}
	_, ok := u.Get(flag)
	return ok
}

// Find returns the section called name (case-insensitively, as upsd matches
// UPS names), or nil.
func (c *UPSConf) Find(name string) *UPS {
	for i := range c.UPS {
		if strings.EqualFold(c.UPS[i].Name, name) {
			return &c.UPS[i]
		}
	}
	return nil
}

var upsGlobals = map[string]bool{
	"chroot": true, "driverpath": true, "statepath": true, "user": true, "group": true,
	"pollinterval": true, "synchronous": true, "maxstartdelay": true, "maxretry": true,
	"retrydelay": true, "nowait": true, "debug_min": true,
}

// numeric keys of ups.conf, global or per UPS.
var upsNumeric = map[string]bool{
	"pollinterval": true, "maxstartdelay": true, "maxretry": true, "retrydelay": true,
	"debug_min": true,
}

// LoadUPSConf reads and parses ups.conf.
func LoadUPSConf(path string) (*UPSConf, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseUPSConf(path, data)
}

// ParseUPSConf parses ups.conf data; name is used in error messages. On
// error the returned config holds everything that parsed.
func ParseUPSConf(name string, data []byte) (*UPSConf, error) {
	p := &problems{file: name}
	c := &UPSConf{File: name, Global: map[string]string{}}
	var cur *UPS
	for _, l := range lex(p, data) {
		if s, ok := section(l.words); ok {
			if s == "" || strings.ContainsAny(s, " \t@:/[]") {
				p.add(l.num, "invalid UPS name %q (no spaces, '@', ':', '/')", s)
				// Keep its lines out of the previous section.
				cur = &UPS{Name: s, Line: l.num, Driver: "-", Port: "-"}
				continue
			}
			if prev := c.Find(s); prev != nil {
				p.add(l.num, "UPS %q already defined at line %d", s, prev.Line)
			}
			c.UPS = append(c.UPS, UPS{Name: s, Line: l.num})
			cur = &c.UPS[len(c.UPS)-1]
			continue
		}
		if strings.HasPrefix(l.words[0], "[") {
			p.add(l.num, "section header %q lacks its closing ']'", strings.Join(l.words, " "))
			cur = &UPS{Driver: "-", Port: "-"}
			continue
		}
		if len(l.words) == 1 {
			if cur == nil {
				if !upsGlobals[strings.ToLower(l.words[0])] {
					p.add(l.num, "unknown global flag %q", l.words[0])
				}
				c.Global[strings.ToLower(l.words[0])] = ""
				continue
			}
			cur.Flags = append(cur.Flags, l.words[0])
			cur.FlagLines = append(cur.FlagLines, l.num)
			continue
		}
		k, v, ok := keyValue(p, l)
		if !ok {
			continue
		}
		if upsNumeric[k] {
			if _, err := parseUint(v); err != nil {
				p.add(l.num, "%s: %v", k, err)
				continue
			}
		}
		if cur == nil {
			if !upsGlobals[k] {
				p.add(l.num, "unknown global directive %q (UPS settings belong in a [section])", k)
				continue
			}
			c.Global[k] = v
			if k == "statepath" {
				c.StatePath = v
			}
			continue
		}
		switch k {
		case "driver":
			cur.Driver = v
		case "port":
			cur.Port = v
		case "desc":
			cur.Desc = v
		}
		cur.Params = append(cur.Params, Param{Key: k, Value: v, Line: l.num})
	}
	for _, u := range c.UPS {
		if u.Driver == "" {
			p.add(u.Line, "UPS %q has no driver", u.Name)
		}
		if u.Port == "" {
			p.add(u.Line, "UPS %q has no port", u.Name)
		}
	}
	return c, p.err()
}
