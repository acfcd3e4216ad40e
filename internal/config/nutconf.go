package config

import (
	"errors"
	"io/fs"
	"strings"
)

// Mode is nut.conf's MODE: which parts of NUT a machine runs.
type Mode string

// NUT's modes (nut.conf(5)).
const (
	// ModeNone: nothing starts (Debian's stock nut.conf, before the
	// administrator has configured a UPS).
	ModeNone Mode = "none"
	// ModeStandalone: drivers, upsd and upsmon, upsd on localhost.
	ModeStandalone Mode = "standalone"
	// ModeNetServer: the same parts, upsd serving other hosts too.
	ModeNetServer Mode = "netserver"
	// ModeNetClient: upsmon only, watching another host's upsd.
	ModeNetClient Mode = "netclient"
)

// NutConf is nut.conf, the shell fragment NUT's init scripts source.
type NutConf struct {
	File string
	// Mode is MODE; ModeStandalone when the file or the variable is
	// missing (a sysnut install configured without NUT's packaging).
	Mode Mode
	// ModeLine is the line MODE was set on, 0 if it was not.
	ModeLine int
	// SharedSNMP is SYSNUT_SNMP_DRIVERS=shared, sysnut's own variable
	// (NUT's scripts ignore it): every snmp-ups UPS is served by one
	// process, ups-driver-snmp.service, instead of an ups-driver@NAME
	// each.
	SharedSNMP bool
}

// Servers reports whether the mode runs drivers and upsd.
func (m Mode) Servers() bool { return m == ModeStandalone || m == ModeNetServer }

// Monitor reports whether the mode runs upsmon.
func (m Mode) Monitor() bool { return m != ModeNone }

// LoadNutConf reads nut.conf; a missing file is the default (standalone).
func LoadNutConf(path string) (*NutConf, error) {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &NutConf{File: path, Mode: ModeStandalone}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseNutConf(path, data)
}

// ParseNutConf reads shell assignments (MODE=standalone, MODE="netclient").
// NUT's scripts source the file, so only MODE (and sysnut's own
// SYSNUT_SNMP_DRIVERS) means anything to sysnut; other assignments (UPSD_OPTIONS, POWEROFF_WAIT, ...) are accepted and
// ignored here: the units own what they configured. A bad MODE is an
// error naming the line; the mode is then "none", as NUT's scripts
// refuse to start with it.
func ParseNutConf(name string, data []byte) (*NutConf, error) {
	c := &NutConf{File: name, Mode: ModeStandalone}
	p := &problems{file: name}
	for i, raw := range strings.Split(string(data), "\n") {
		num := i + 1
		s := strings.TrimSpace(raw)
		if s == "" || s[0] == '#' {
			continue
		}
		s = strings.TrimPrefix(s, "export ")
		key, value, ok := strings.Cut(s, "=")
		if !ok {
			p.add(num, "expected NAME=value, got %q", s)
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key == "SYSNUT_SNMP_DRIVERS" {
			switch v := unquoteShell(value); v {
			case "shared", "separate":
				c.SharedSNMP = v == "shared"
			default:
				p.add(num, "SYSNUT_SNMP_DRIVERS=%s: not shared or separate; separate is used", v)
			}
			continue
		}
		if key != "MODE" {
			continue
		}
		value = unquoteShell(value)
		switch m := Mode(value); m {
		case ModeNone, ModeStandalone, ModeNetServer, ModeNetClient:
			c.Mode, c.ModeLine = m, num
		default:
			c.Mode, c.ModeLine = ModeNone, num
			p.add(num, "MODE=%s: not one of none, standalone, netserver, netclient; nothing starts", value)
		}
	}
	return c, p.err()
}

// unquoteShell removes one level of shell quotes and a trailing comment.
func unquoteShell(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : 1+end]
		}
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}
