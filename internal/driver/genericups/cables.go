// Package genericups drives contact-closure ("dumb") UPSes through the
// modem control lines of a serial port, as NUT's genericups does, with
// NUT's 24 cable types, its overrides, and powstatd's config vocabulary.
package genericups

import (
	"fmt"
	"strings"

	ml "github.com/sysnut/sysnut/internal/modemlines"
)

// Input is a condition read from the input lines: true when
// (lines & Mask) == Val. A zero Mask means the UPS has no such signal.
type Input struct{ Mask, Val int }

func (in Input) present() bool { return in.Mask != 0 }

func (in Input) test(lines int) bool { return lines&in.Mask == in.Val }

// Cable is one wiring of a contact-closure UPS.
type Cable struct {
	Model       string
	CP          int // output lines that power the cable
	OL, LB      Input
	RB, Bypass  Input
	SD          int // output lines that shut the UPS down; ST = send a break
	NoKillPower bool
}

func hi(m int) Input { return Input{m, m} }
func lo(m int) Input { return Input{m, 0} }

// Cables is NUT's genericups table, indexed by upstype.
var Cables = []Cable{
	{Model: "UPSONIC LAN Saver 600", CP: ml.DTR | ml.RTS, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.RTS},
	{Model: "APC Back-UPS 940-0095A/C", CP: ml.DTR, OL: lo(ml.RNG), LB: hi(ml.DCD), SD: ml.RTS},
	{Model: "APC 940-0020B/C", CP: ml.RTS, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.DTR | ml.RTS},
	{Model: "PowerTech Comp1000", CP: ml.DTR, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.DTR | ml.RTS},
	{Model: "Generic RUPS", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: 0},
	{Model: "TrippLite Lan2.2", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR | ml.RTS},
	{Model: "Best Patriot", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.RTS},
	{Model: "CyberPower Power99", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR},
	{Model: "Nitram Elite 500", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), NoKillPower: true},
	{Model: "APC 940-0023A", CP: 0, OL: lo(ml.DCD), LB: hi(ml.CTS), SD: ml.RTS},
	{Model: "Victron Lite", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR},
	{Model: "Powerware 3115", CP: ml.DTR, OL: lo(ml.CTS), LB: lo(ml.DCD), SD: ml.ST},
	{Model: "APC 940-0119A", CP: ml.RTS, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.DTR},
	{Model: "RPT Repoteck", CP: ml.DTR | ml.RTS, OL: hi(ml.DCD), LB: lo(ml.CTS), SD: ml.ST},
	{Model: "Online P-series", CP: ml.DTR, OL: hi(ml.DCD), LB: lo(ml.CTS), SD: ml.RTS},
	{Model: "Powerware 5119", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.ST},
	{Model: "Nitram Elite 2002", CP: ml.DTR | ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), NoKillPower: true},
	{Model: "PowerKinetics 9001", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), NoKillPower: true},
	{Model: "TrippLite Omni 450LAN", CP: ml.DTR, OL: hi(ml.CTS), LB: hi(ml.DCD), NoKillPower: true},
	{Model: "Fideltronik Ares", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.RTS},
	{Model: "Powerware 5119 RM", CP: ml.DTR, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.ST},
	{Model: "Generic RUPS 2000", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.RTS | ml.DTR},
	{Model: "Gamatronic", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR},
	{Model: "Generic FTTx", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), RB: lo(ml.RNG), Bypass: lo(ml.DSR), SD: 0},
}

// Status renders ups.status from the input lines, in NUT's order: LB,
// then OL or OB, then RB and BYPASS ("LB OB" on a low battery).
func (c Cable) Status(lines int) string {
	var st []string
	if c.LB.present() && c.LB.test(lines) {
		st = append(st, "LB")
	}
	if c.OL.test(lines) { // no OL line: always on line, as in NUT
		st = append(st, "OL")
	} else {
		st = append(st, "OB")
	}
	if c.RB.present() && c.RB.test(lines) {
		st = append(st, "RB")
	}
	if c.Bypass.present() && c.Bypass.test(lines) {
		st = append(st, "BYPASS")
	}
	return strings.Join(st, " ")
}

// watched are the input lines whose changes matter.
func (c Cable) watched() int { return c.OL.Mask | c.LB.Mask | c.RB.Mask | c.Bypass.Mask }

var names = map[string]int{"DTR": ml.DTR, "RTS": ml.RTS, "ST": ml.ST, "CTS": ml.CTS, "DCD": ml.DCD, "RNG": ml.RNG, "DSR": ml.DSR}

// ParseOutputs reads a CP= or SD= override: DTR, RTS and ST joined with
// '+', "-X" leaving X out, "none" for no line.
func ParseOutputs(v string) (int, error) {
	if strings.EqualFold(v, "none") {
		return 0, nil
	}
	bits := 0
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == '+' || r == ',' || r == ' ' }) {
		neg := strings.HasPrefix(tok, "-")
		b, ok := names[strings.ToUpper(strings.TrimPrefix(tok, "-"))]
		if !ok || b&(ml.DTR|ml.RTS|ml.ST) == 0 {
			return 0, fmt.Errorf("%q: output signals are DTR, RTS and ST", tok)
		}
		if neg {
			bits &^= b
		} else {
			bits |= b
		}
	}
	if bits == 0 {
		return 0, fmt.Errorf("%q names no output signal (use none)", v)
	}
	return bits, nil
}

// ParseInputs reads an OL=, LB=, RB= or BYPASS= override: CTS, DCD, RNG
// and DSR joined with '+', "-X" meaning X active low, "none" for no signal.
func ParseInputs(v string) (Input, error) {
	if strings.EqualFold(v, "none") {
		return Input{}, nil
	}
	var in Input
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == '+' || r == ',' || r == ' ' }) {
		neg := strings.HasPrefix(tok, "-")
		b, ok := names[strings.ToUpper(strings.TrimPrefix(tok, "-"))]
		if !ok || b&(ml.CTS|ml.DCD|ml.RNG|ml.DSR) == 0 {
			return Input{}, fmt.Errorf("%q: input signals are CTS, DCD, RNG and DSR", tok)
		}
		in.Mask |= b
		if !neg {
			in.Val |= b
		}
	}
	if in.Mask == 0 {
		return Input{}, fmt.Errorf("%q names no input signal (use none)", v)
	}
	return in, nil
}
