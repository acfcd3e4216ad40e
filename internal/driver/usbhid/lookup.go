package usbhid

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sysnut/sysnut/internal/driver"
)

// Lookup turns a HID value into a NUT value and back: a table of values
// (NUT's info_lkp_t arrays) or a pair of functions (its fun/nuf). For a
// status row ("BOOL") the text is an internal flag such as "online" or
// "!online".
type Lookup struct {
	Values []LookupValue
	Fun    func(v float64, d *Device) (string, bool)
	Rev    func(s string, d *Device) (float64, bool)
	// Indexed: the value is the index of a USB string descriptor, which
	// the device layer may not be able to read (hidraw cannot).
	Indexed bool
}

// LookupValue is one entry of a table.
type LookupValue struct {
	HID int64
	NUT string
}

// Find is NUT's hu_find_infoval: the function if there is one, else the
// first entry whose value equals v truncated to an integer.
func (l *Lookup) Find(v float64, d *Device) (string, bool) {
	if l.Fun != nil {
		return l.Fun(v, d)
	}
	for _, e := range l.Values {
		if e.HID == int64(v) {
			return e.NUT, true
		}
	}
	return "", false
}

// reverse is NUT's hu_find_valinfo, for SET VAR and commands.
func (l *Lookup) reverse(s string, d *Device) (float64, bool) {
	if l.Rev != nil {
		return l.Rev(s, d)
	}
	for _, e := range l.Values {
		if e.NUT == s {
			return float64(e.HID), true
		}
	}
	return 0, false
}

// flag is a status lookup: 1 sets the flag, 0 clears it.
func flag(name string) *Lookup {
	return &Lookup{Values: []LookupValue{{1, name}, {0, "!" + name}}}
}

// NUT's status lookups (usbhid-ups.c) that the subdrivers here use; the
// others (trim, boost, bypass, off, cal, fanfail, ...) come with the
// subdrivers that map them.
var (
	onlineInfo        = flag("online")
	dischargingInfo   = flag("dischrg")
	chargingInfo      = flag("chrg")
	lowbattInfo       = flag("lowbatt")
	overloadInfo      = flag("overload")
	replacebattInfo   = flag("replacebatt")
	nobatteryInfo     = &Lookup{Values: []LookupValue{{1, "!nobattery"}, {0, "nobattery"}}}
	shutdownimmInfo   = flag("shutdownimm")
	timelimitInfo     = flag("timelimitexp")
	trimInfo          = flag("trim")
	boostInfo         = flag("boost")
	overheatInfo      = flag("overheat")
	commfaultInfo     = flag("commfault")
	fullyChargedInfo  = flag("fullycharged")
	depletedInfo      = flag("depleted")
	bypassAutoInfo    = flag("bypassauto")
	bypassManualInfo  = flag("bypassman")
	fanfailInfo       = flag("fanfail")
	awaitingpowerInfo = flag("awaitingpower")
	battvoltloInfo    = flag("battvoltlo")
	battvolthiInfo    = flag("battvolthi")
	chargerfailInfo   = flag("chargerfail")
	// off_info, vrange_info and frange_info: 0 sets off ("being off" is
	// reported, so that a UPS without the usage is on); the ranges list
	// the clear value first.
	offInfo    = &Lookup{Values: []LookupValue{{0, "off"}, {1, "!off"}}}
	vrangeInfo = &Lookup{Values: []LookupValue{{0, "!vrange"}, {1, "vrange"}}}
	frangeInfo = &Lookup{Values: []LookupValue{{0, "!frange"}, {1, "frange"}}}
)

// NUT's value lookups (usbhid-ups.c).
var (
	testReadInfo = &Lookup{Values: []LookupValue{{1, "Done and passed"}, {2, "Done and warning"}, {3, "Done and error"},
		{4, "Aborted"}, {5, "In progress"}, {6, "No test initiated"}, {7, "Test scheduled"}}}
	beeperInfo = &Lookup{Values: []LookupValue{{1, "disabled"}, {2, "enabled"}, {3, "muted"}}}
	yesNoInfo  = &Lookup{Values: []LookupValue{{0, "no"}, {1, "yes"}}}
	onOffInfo  = &Lookup{Values: []LookupValue{{0, "off"}, {1, "on"}}}
	// divideBy10Conversion is the value a tenth of it, one decimal.
	divideBy10Conversion = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		return strconv.FormatFloat(v*0.1, 'f', 1, 64), true
	}}

	// dateConversion reads a DOS-style date (days, months, years since
	// 1980 in bit fields).
	dateConversion = &Lookup{
		Fun: func(v float64, _ *Device) (string, bool) {
			n := int64(v)
			if n == 0 {
				return "not set", true
			}
			return fmt.Sprintf("%04d/%02d/%02d", 1980+(n>>9), (n>>5)&0x0f, n&0x1f), true
		},
		Rev: func(s string, _ *Device) (float64, bool) {
			var y, m, d int64
			if _, err := fmt.Sscanf(s, "%04d/%02d/%02d", &y, &m, &d); err != nil {
				return 0, false
			}
			if y-1980 > 127 || m > 12 || d > 31 {
				return 0, true
			}
			return float64((y-1980)<<9 + m<<5 + d), true
		},
	}
	// kelvinCelsius takes values between 273 and 373 as kelvins and
	// anything else as degrees Celsius already (some HP firmware).
	kelvinCelsius = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		if v >= 273 && v <= 373 {
			return strconv.FormatFloat(v-273.15, 'f', 1, 64), true
		}
		return strconv.FormatFloat(v, 'f', 1, 64), true
	}}
	// stringID reads a USB string descriptor by index, as NUT's
	// stringid_conversion does: an index beyond 0-255 finds nothing; a
	// string the device does not give is empty; at most 19 characters,
	// ASCII (libusb's _ascii reading makes any other character '?'),
	// trailing newlines cut. Where the device layer cannot read strings
	// at all (no hiddev node, a replayed log), the variable is left out.
	stringID = &Lookup{Indexed: true, Fun: func(v float64, d *Device) (string, bool) {
		i := int(v)
		if d == nil || d.String == nil || i < 0 || i > 255 {
			return "", false
		}
		s, ok := d.String(i)
		if !ok {
			return "", false
		}
		return asciiString(s, 20), true
	}}
)

// asciiString is a UTF-8 string as libusb_get_string_descriptor_ascii
// leaves it in a buffer of n bytes (one '?' per UTF-16 unit beyond
// ASCII), with NUT's str_rtrim of trailing newlines.
func asciiString(s string, n int) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			b = append(b, byte(r))
		case r > 0xffff:
			b = append(b, '?', '?')
		default:
			b = append(b, '?')
		}
	}
	return strings.TrimRight(driver.CBuf(string(b), n), "\n")
}

// cformat is printf for the formats NUT's tables use: "%.Nf" (and "%f",
// "%d" on a float's integer part), or a literal default value.
func cformat(format string, v float64) string {
	switch {
	case format == "%d" || format == "%i":
		return strconv.FormatInt(int64(v), 10)
	case format == "%f":
		return strconv.FormatFloat(v, 'f', 6, 64)
	case strings.HasPrefix(format, "%.") && strings.HasSuffix(format, "f"):
		if n, err := strconv.Atoi(format[2 : len(format)-1]); err == nil {
			return strconv.FormatFloat(v, 'f', n, 64)
		}
	}
	return format
}

// strtod is C's strtod: the number at the start of s, 0 if none.
func strtod(s string) float64 {
	s = strings.TrimSpace(s)
	for n := len(s); n > 0; n-- {
		if f, err := strconv.ParseFloat(s[:n], 64); err == nil {
			return f
		}
	}
	return 0
}

// scaled prints the value times the device's factor in NUT's format,
// into a C buffer of size bytes (longer results are cut, as NUT's
// snprintf cuts them): the per-product scale conversions of Tripp Lite
// and openUPS, Legrand's exponent corrections.
func scaled(format string, size int, factor func(*Device) float64) *Lookup {
	return &Lookup{Fun: func(v float64, d *Device) (string, bool) {
		return driver.CBuf(cformat(format, v*factor(d)), size), true
	}}
}

// memoOr is what a lookup learned about the device, or def.
func memoOr(d *Device, key string, def float64) float64 {
	if v, ok := d.Memo[key]; ok {
		return v
	}
	return def
}
