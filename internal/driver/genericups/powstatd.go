package genericups

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	ml "github.com/sysnut/sysnut/internal/modemlines"
)

var powstatdLines = map[string]int{"cts": ml.CTS, "dsr": ml.DSR, "dcd": ml.DCD, "rng": ml.RNG, "ri": ml.RNG, "dtr": ml.DTR, "rts": ml.RTS}

// ParsePowstatd reads powstatd's configuration vocabulary into a cable:
//
//	watch ttyS0      the device (returned as port)
//	fail cts 0       on battery when CTS reads 0
//	low dcd 0        battery low when DCD reads 0
//	init rts 1       drive RTS high (and "init dtr 0" low) to power the cable
//	kill dtr 1       kill power by raising DTR ("kill break": send a break)
//
// powstatd's own UDP master/slave lines are refused: NUT's primary and
// secondary upsmon over TCP do that job.
func ParsePowstatd(name string, data []byte) (c Cable, port string, err error) {
	c.Mfr, c.Model, c.Desc = "Generic", "contact-closure UPS", "powstatd configuration"
	var errs []string
	bad := func(n int, f string, a ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d: %s", name, n, fmt.Sprintf(f, a...)))
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	num := 0
	haveFail, haveKill := false, false
	for sc.Scan() {
		num++
		line, _, _ := strings.Cut(sc.Text(), "#")
		w := strings.Fields(line)
		if len(w) == 0 {
			continue
		}
		sig := func() (int, bool) {
			if len(w) != 3 || (w[2] != "0" && w[2] != "1") {
				bad(num, "%s takes a line and 0 or 1, e.g. %q", w[0], w[0]+" cts 0")
				return 0, false
			}
			b, ok := powstatdLines[strings.ToLower(w[1])]
			if !ok {
				bad(num, "unknown line %q (cts, dsr, dcd, rng, dtr, rts)", w[1])
			}
			return b, ok
		}
		switch strings.ToLower(w[0]) {
		case "watch":
			if len(w) != 2 {
				bad(num, "watch takes a device")
				continue
			}
			port = w[1]
			if !strings.HasPrefix(port, "/") {
				port = "/dev/" + port
			}
		case "fail", "low":
			b, ok := sig()
			if !ok {
				continue
			}
			if b&(ml.CTS|ml.DSR|ml.DCD|ml.RNG) == 0 {
				bad(num, "%s must name an input line (cts, dsr, dcd, rng)", w[0])
				continue
			}
			in := Input{Mask: b}
			if w[2] == "1" {
				in.Val = b
			}
			if strings.EqualFold(w[0], "fail") {
				// OL is the opposite of the FAIL condition.
				c.OL = Input{Mask: b, Val: b ^ in.Val}
				haveFail = true
			} else {
				c.LB = in
			}
		case "init":
			b, ok := sig()
			if !ok {
				continue
			}
			if b&(ml.DTR|ml.RTS) == 0 {
				bad(num, "init must name an output line (dtr, rts)")
				continue
			}
			if w[2] == "1" {
				c.CP |= b
			} else {
				c.CP &^= b
			}
		case "kill":
			haveKill = true
			if len(w) == 2 && strings.EqualFold(w[1], "break") {
				c.SD = ml.ST
				continue
			}
			b, ok := sig()
			if !ok {
				continue
			}
			if b&(ml.DTR|ml.RTS) == 0 {
				bad(num, "kill must name an output line (dtr, rts) or break")
				continue
			}
			if w[2] == "1" {
				c.SD |= b
			}
		case "slave", "master", "password":
			bad(num, "%q is powstatd's UDP networking; use upsmon primary/secondary over NUT instead", w[0])
		default:
			bad(num, "unknown keyword %q", w[0])
		}
	}
	if err := sc.Err(); err != nil {
		bad(num+1, "%v", err)
	}
	if !haveFail {
		errs = append(errs, fmt.Sprintf("%s: no 'fail' line: cannot tell when mains fails", name))
	}
	c.NoKillPower = !haveKill
	if len(errs) > 0 {
		return c, port, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return c, port, nil
}
