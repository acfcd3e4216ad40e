// Package megatec speaks the Megatec/Q1 serial protocol of many small
// UPSes (NUT's nutdrv_qx with the megatec subdriver, and blazer_ser):
// 2400 8N1, commands and replies ending in CR.
package megatec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Q1 is the reply to "Q1": measurements and eight status bits.
type Q1 struct {
	InputVoltage, InputVoltageFault, OutputVoltage float64
	Load                                           float64 // percent
	InputFrequency, BatteryVoltage, Temperature    float64
	Bits                                           string // b7..b0, '0'/'1'
}

// ErrBadReply is wrapped by every parse error.
var ErrBadReply = errors.New("bad reply")

// ParseQ1 parses "(MMM.M NNN.N PPP.P QQQ RR.R S.SS TT.T b7b6b5b4b3b2b1b0"
// (the trailing CR already removed).
func ParseQ1(s string) (Q1, error) {
	var q Q1
	if !strings.HasPrefix(s, "(") {
		return q, fmt.Errorf("%w: Q1 reply %q does not start with '('", ErrBadReply, s)
	}
	f := strings.Fields(s[1:])
	if len(f) != 8 {
		return q, fmt.Errorf("%w: Q1 reply %q has %d fields, want 8", ErrBadReply, s, len(f))
	}
	dst := []*float64{&q.InputVoltage, &q.InputVoltageFault, &q.OutputVoltage, &q.Load,
		&q.InputFrequency, &q.BatteryVoltage, &q.Temperature}
	for i, p := range dst {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || v < 0 || v > 100000 {
			return q, fmt.Errorf("%w: Q1 field %d %q is not a measurement", ErrBadReply, i+1, f[i])
		}
		*p = v
	}
	if len(f[7]) != 8 || strings.Trim(f[7], "01") != "" {
		return q, fmt.Errorf("%w: Q1 status %q is not 8 bits", ErrBadReply, f[7])
	}
	q.Bits = f[7]
	return q, nil
}

func (q Q1) bit(n int) bool { return q.Bits[7-n] == '1' }

// Status renders ups.status from the bits, in NUT's order.
func (q Q1) Status() string {
	var st []string
	if q.bit(7) {
		st = append(st, "OB")
	} else {
		st = append(st, "OL")
	}
	if q.bit(6) {
		st = append(st, "LB")
	}
	if q.bit(5) {
		// One bit means bypass, boost or buck: the voltages tell which.
		vi, vo := q.InputVoltage, q.OutputVoltage
		switch {
		case vo < 0.95*vi:
			st = append(st, "TRIM")
		case vo < 1.05*vi:
			st = append(st, "BYPASS")
		case vo < 1.5*vi:
			st = append(st, "BOOST")
		}
	}
	if q.bit(4) {
		st = append(st, "ALARM")
	}
	if q.bit(2) {
		st = append(st, "CAL")
	}
	if q.bit(1) {
		st = append(st, "FSD")
	}
	return strings.Join(st, " ")
}

// Type is ups.type from bit 3.
func (q Q1) Type() string {
	if q.bit(3) {
		return "offline / line interactive"
	}
	return "online"
}

// Beeper is ups.beeper.status from bit 0.
func (q Q1) Beeper() string {
	if q.bit(0) {
		return "enabled"
	}
	return "disabled"
}

// Rating is the reply to "F": nominal values.
type Rating struct{ Voltage, Current, BatteryVoltage, Frequency float64 }

// ParseF parses "#VVV.V CCC BB.B FF.F".
func ParseF(s string) (Rating, error) {
	var r Rating
	if !strings.HasPrefix(s, "#") {
		return r, fmt.Errorf("%w: F reply %q does not start with '#'", ErrBadReply, s)
	}
	f := strings.Fields(s[1:])
	if len(f) != 4 {
		return r, fmt.Errorf("%w: F reply %q has %d fields, want 4", ErrBadReply, s, len(f))
	}
	for i, p := range []*float64{&r.Voltage, &r.Current, &r.BatteryVoltage, &r.Frequency} {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || v < 0 {
			return r, fmt.Errorf("%w: F field %d %q is not a number", ErrBadReply, i+1, f[i])
		}
		*p = v
	}
	return r, nil
}

// Info is the reply to "I": fixed columns of 15, 10 and 10 characters,
// each followed by a space.
type Info struct{ Mfr, Model, Firmware string }

// ParseI parses "#<mfr 15> <model 10> <firmware 10>": NUT's megatec
// subdriver reads characters 1-15, 17-26 and 28-37 of the reply (as
// blazer's did), and it refuses a reply shorter than 38.
func ParseI(s string) (Info, error) {
	if !strings.HasPrefix(s, "#") || len(s) < 1+15+1+10+1+10 {
		return Info{}, fmt.Errorf("%w: I reply %q is not #<mfr 15> <model 10> <firmware 10>", ErrBadReply, s)
	}
	s = s[1:]
	col := func(from, n int) string {
		if from >= len(s) {
			return ""
		}
		return strings.TrimSpace(s[from:min(from+n, len(s))])
	}
	return Info{Mfr: col(0, 15), Model: col(16, 10), Firmware: col(27, 10)}, nil
}

// ShutdownCommand renders "S<n>R<mmmm>": n is the delay before the load
// is cut (".1".."9" tenths of a minute below one minute, else "01".."99"
// minutes) and mmmm the minutes until it returns (0 = stay off).
func ShutdownCommand(offdelay, ondelay int) (string, error) {
	if offdelay < 6 || offdelay > 99*60 {
		return "", fmt.Errorf("shutdown delay %d s is outside 6..5940", offdelay)
	}
	if ondelay < 0 || ondelay > 9999*60 {
		return "", fmt.Errorf("restart delay %d s is outside 0..599940", ondelay)
	}
	var n string
	if offdelay < 60 {
		n = "." + strconv.Itoa(offdelay/6)
	} else {
		n = fmt.Sprintf("%02d", offdelay/60)
	}
	return fmt.Sprintf("S%sR%04d", n, ondelay/60), nil
}
