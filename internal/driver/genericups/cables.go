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
	Mfr, Model  string // ups.mfr and ups.model, as NUT publishes them
	Desc        string // NUT's description of the cable, logged at start
	CP          int    // output lines that power the cable
	OL, LB      Input
	RB, Bypass  Input
	SD          int // output lines that shut the UPS down; ST = send a break
	NoKillPower bool
}

func hi(m int) Input { return Input{m, m} }
func lo(m int) Input { return Input{m, 0} }

// Cables is NUT's genericups table, indexed by upstype (NUT 2.8.0's
// drivers/genericups.h: names, descriptions and wiring).
var Cables = []Cable{
	{Mfr: "UPSONIC", Model: "LAN Saver 600", Desc: "UPSONIC LAN Saver 600", CP: ml.DTR | ml.RTS, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.RTS},
	{Mfr: "APC", Model: "Back-UPS", Desc: "APC Back-UPS (940-0095A/C cable)", CP: ml.DTR, OL: lo(ml.RNG), LB: hi(ml.DCD), SD: ml.RTS},
	{Mfr: "APC", Model: "Back-UPS", Desc: "APC Back-UPS (940-0020B/C cable)", CP: ml.RTS, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.DTR | ml.RTS},
	{Mfr: "PowerTech", Model: "Comp1000", Desc: "PowerTech Comp1000 with DTR as cable power", CP: ml.DTR, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.DTR | ml.RTS},
	{Mfr: "Generic", Model: "Generic RUPS model", Desc: "Generic RUPS model", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: 0},
	{Mfr: "TrippLite", Model: "Internet Office Series", Desc: "Tripp Lite UPS with Lan2.2 interface (black 73-0844 cable)", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR | ml.RTS},
	{Mfr: "Best", Model: "Patriot", Desc: "Best Patriot (INT51 cable)", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.RTS},
	{Mfr: "CyberPower", Model: "Power99", Desc: "CyberPower Power99", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR},
	{Mfr: "Nitram", Model: "Elite UPS", Desc: "Nitram Elite 500", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), NoKillPower: true},
	{Mfr: "APC", Model: "Back-UPS", Desc: "APC Back-UPS (940-0023A cable)", CP: 0, OL: lo(ml.DCD), LB: hi(ml.CTS), SD: ml.RTS},
	{Mfr: "Victron", Model: "Lite", Desc: "Victron Lite (crack cable)", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR},
	{Mfr: "Powerware", Model: "3115", Desc: "Powerware 3115", CP: ml.DTR, OL: lo(ml.CTS), LB: lo(ml.DCD), SD: ml.ST},
	{Mfr: "APC", Model: "Back-UPS Office", Desc: "APC Back-UPS Office (940-0119A cable)", CP: ml.RTS, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.DTR},
	{Mfr: "RPT", Model: "Repoteck", Desc: "Repoteck RPT-800A, RPT-162A", CP: ml.DTR | ml.RTS, OL: hi(ml.DCD), LB: lo(ml.CTS), SD: ml.ST},
	{Mfr: "Online", Model: "P250, P500, P750, P1250", Desc: "Online P-series", CP: ml.DTR, OL: hi(ml.DCD), LB: lo(ml.CTS), SD: ml.RTS},
	{Mfr: "Powerware", Model: "5119", Desc: "Powerware 5119", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.ST},
	{Mfr: "Nitram", Model: "Elite UPS", Desc: "Nitram Elite 2002", CP: ml.DTR | ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), NoKillPower: true},
	{Mfr: "PowerKinetics", Model: "9001", Desc: "PowerKinetics 9001", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), NoKillPower: true},
	{Mfr: "TrippLite", Model: "Omni 450LAN", Desc: "TrippLite UPS with Martin's cabling", CP: ml.DTR, OL: hi(ml.CTS), LB: hi(ml.DCD), NoKillPower: true},
	{Mfr: "Fideltronik", Model: "Ares Series", Desc: "Fideltronik Ares Series", CP: ml.DTR, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.RTS},
	{Mfr: "Powerware", Model: "5119 RM", Desc: "Powerware 5119 RM", CP: ml.DTR, OL: lo(ml.CTS), LB: hi(ml.DCD), SD: ml.ST},
	{Mfr: "Generic", Model: "Generic RUPS 2000", Desc: "Generic RUPS 2000 (Megatec M2501 cable)", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.RTS | ml.DTR},
	{Mfr: "Gamatronic Electronic Industries", Model: "Generic Alarm UPS", Desc: "Gamatronic UPSs with alarm interface", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), SD: ml.DTR},
	{Mfr: "Generic", Model: "Generic FTTx Battery Backup", Desc: "FTTx (Fiber to the x) battery backup with 4-wire telemetry interface", CP: ml.RTS, OL: hi(ml.CTS), LB: lo(ml.DCD), RB: lo(ml.RNG), Bypass: lo(ml.DSR), SD: 0},
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
