// Package options is the table of ups.conf keys each driver knows, as
// NUT's drivers declare them (addvar in NUT's main.c and each driver's
// upsdrv_makevartable, NUT 2.8.0). NUT's drivers refuse a key they do not
// know, and so does sysnut: ups-driver before it starts, upsd -t and the
// generator before anything starts. It holds data only, so that upsd can
// check ups.conf without linking the drivers.
package options

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sysnut/sysnut/internal/config"
)

// Option is one ups.conf key of a driver.
type Option struct {
	Name string
	// Flag: a one-word line ("nolock"), not "name = value".
	Flag bool
	// Desc is what the option does (ups-driver -h, the man page).
	Desc string
	// NoEffect, when set, says why sysnut accepts the option but does not
	// act on it; ups-driver logs it once at start.
	NoEffect string
	// Sensitive: a secret, never published as driver.parameter.* (NUT's
	// VAR_SENSITIVE).
	Sensitive bool
}

// Sensitive reports whether a driver's key is a secret.
func Sensitive(driver, key string) bool {
	for _, o := range Drivers[driver] {
		if o.Name == key {
			return o.Sensitive
		}
	}
	return false
}

// Common are the keys every NUT driver takes (NUT's main.c), with
// maxstartdelay, which upsdrvctl reads from a section.
var Common = []Option{
	{Name: "driver", Desc: "the driver (NUT's program name)"},
	{Name: "port", Desc: "the device, file or address the driver talks to"},
	{Name: "desc", Desc: "a description, served by upsd (LIST UPS)"},
	{Name: "sdorder", Desc: "order of this UPS in upsdrvctl shutdown / ups-driver -k (-1: never)"},
	{Name: "pollinterval", Desc: "seconds between polls of the UPS (default 2)"},
	{Name: "synchronous", Desc: "how the driver writes to upsd: yes, no or auto"},
	{Name: "ignorelb", Flag: true, Desc: "ignore the UPS's low-battery flag; raise LB from battery.charge.low and battery.runtime.low instead"},
	{Name: "nolock", Flag: true, Desc: "do not lock the port", NoEffect: "systemd runs one driver instance per UPS, which holds its port alone"},
	{Name: "user", Desc: "the user the driver runs as", NoEffect: "the unit's User= decides (sysnut-driver)"},
	{Name: "group", Desc: "the group the driver runs as", NoEffect: "the unit's Group= decides (nut)"},
	{Name: "sddelay", Desc: "obsolete (NUT ignores it too)", NoEffect: "obsolete in NUT as well"},
	{Name: "debug_min", Desc: "minimum debug level", NoEffect: "the journal keeps every level; filter with journalctl -p"},
	{Name: "maxstartdelay", Desc: "seconds upsdrvctl waits for the driver to start", NoEffect: "systemd waits for the driver's READY=1 (TimeoutStartSec=)"},
}

// Drivers maps each driver sysnut provides to its own keys.
var Drivers = map[string][]Option{
	"dummy-ups": {
		{Name: "mode", Desc: "dummy-loop, dummy-once, dummy (= dummy-loop) or repeater; guessed from port when unset"},
	},
	"genericups": {
		{Name: "upstype", Desc: "the cable type, 0..23 (genericups -h lists them)"},
		{Name: "mfr", Desc: "ups.mfr instead of the cable table's"},
		{Name: "model", Desc: "ups.model instead of the cable table's"},
		{Name: "serial", Desc: "ups.serial"},
		{Name: "CP", Desc: "the cable power lines, overriding the cable type (DTR, RTS, DTR+RTS, none)"},
		{Name: "OL", Desc: "the on-line input, overriding the cable type (CTS, DCD, RNG, DSR; ^ inverts)"},
		{Name: "LB", Desc: "the low-battery input, overriding the cable type"},
		{Name: "RB", Desc: "the replace-battery input, overriding the cable type"},
		{Name: "BYPASS", Desc: "the bypass input, overriding the cable type"},
		{Name: "SD", Desc: "the shutdown output lines, overriding the cable type"},
		{Name: "sdtime", Desc: "seconds to hold the shutdown lines (default 0)"},
		{Name: "powstatd", Desc: "sysnut: a powstatd configuration file describing the cable, instead of upstype"},
	},
	"usbhid-ups": {
		{Name: "vendorid", Desc: "regular expression for the USB vendor ID (4 hex digits); the whole ID must match, case ignored"},
		{Name: "productid", Desc: "regular expression for the USB product ID"},
		{Name: "vendor", Desc: "regular expression for the USB manufacturer string"},
		{Name: "product", Desc: "regular expression for the USB product string"},
		{Name: "serial", Desc: "regular expression for the USB serial number"},
		{Name: "bus", Desc: "regular expression for the USB bus number (003)"},
		{Name: "device", Desc: "regular expression for the USB device number on the bus (002)"},
		{Name: "subdriver", Desc: "regular expression for the subdriver to use (\"APC HID\", \"generic\"), instead of the one that claims the vendor (NUT 2.8.1)"},
		{Name: "pollfreq", Desc: "seconds between full reads of the UPS (default 30); the status is read every pollinterval"},
		{Name: "offdelay", Desc: "ups.delay.shutdown: seconds before the UPS cuts its output after -k (default 20)"},
		{Name: "ondelay", Desc: "ups.delay.start: seconds the UPS waits once mains returns (default 30)"},
		{Name: "lowbatt", Desc: "battery.charge.low to set in the UPS, in percent"},
		{Name: "onlinedischarge", Flag: true, Desc: "OL and DISCHRG together mean on battery (some CyberPower units)"},
		{Name: "onlinedischarge_onbattery", Flag: true, Desc: "the same, under its NUT 2.8.1 name"},
		{Name: "onlinedischarge_calibration", Flag: true, Desc: "OL and DISCHRG together mean a calibration: CAL is added (NUT 2.8.1)"},
		{Name: "lbrb_log_delay_sec", Desc: "seconds LB and RB must last, while on line and calibrating, before they are reported (NUT 2.8.1; 3 by default for the APC BXnnnnMI, BVKnnnM2 and BKnnnM2-CH that flash them)"},
		{Name: "lbrb_log_delay_without_calibrating", Flag: true, Desc: "apply lbrb_log_delay_sec on line even when not calibrating (NUT 2.8.1)"},
		{Name: "pollonly", Flag: true, Desc: "do not read interrupt reports: status changes wait for the next poll (for UPSes whose interrupt pipe misbehaves)"},
		{Name: "interruptonly", Flag: true, Desc: "match interrupt reports to input items only, as NUT 2.8.0 does (its Powercom tweak): an event on a path that also has a feature item waits for the next poll; the UPS is still polled every pollfreq, as NUT polls it"},
		{Name: "interruptsize", Desc: "bytes to read from the interrupt pipe", NoEffect: "hidraw delivers whole input reports"},
		{Name: "maxreport", Flag: true, Desc: "work around APC firmware that answers short reports", NoEffect: "short answers are always read zero-padded, as NUT reads them"},
		{Name: "explore", Flag: true, Desc: "take the UPS vendorid names (required with it) with NUT's explore subdriver, which maps nothing: for a UPS no subdriver knows; ups-driver -explore NAME prints every usage path it has"},
		{Name: "usb_set_altinterface", Desc: "libusb: set the alternate interface", NoEffect: "hidraw leaves the interface to the kernel"},
		{Name: "busport", Desc: "regular expression for the port of the USB hub the UPS is plugged into, as lsusb -t numbers it (NUT 2.8.1): stays the same across replugs, unlike device"},
	},
	"snmp-ups": {
		{Name: "mibs", Desc: "the MIB mapping: auto (probe the agent, as NUT does) or one of NUT 2.8.0's UPS mappings (apcc, bestpower, cpqpower, cyberpower, delta_ups, huawei, mge, netvision, pw, pxgx_ups, xppc, tripplite, ietf)"},
		{Name: "community", Sensitive: true, Desc: "the SNMP v1/v2c community (default public)"},
		{Name: "snmp_version", Desc: "v1 (default), v2c or v3"},
		{Name: "pollfreq", Desc: "seconds between walks of the agent (default 30)"},
		{Name: "semistaticfreq", Desc: "walks between reads of the semi-static values (default 10)"},
		{Name: "snmp_retries", Desc: "retries of a request (default 5)"},
		{Name: "snmp_timeout", Desc: "seconds to wait for an answer (default 1)"},
		{Name: "notransferoids", Flag: true, Desc: "read input.transfer.low and .high once, at start, and never again (APC Symmetra), as NUT's flag does"},
		{Name: "symmetrathreephase", Flag: true, Desc: "APC three-phase Symmetra: input.transfer.low and high read as line-to-line voltages and published line-to-neutral (times 0.707)"},
		{Name: "secLevel", Desc: "SNMPv3 security level: noAuthNoPriv (default), authNoPriv or authPriv"},
		{Name: "secName", Sensitive: true, Desc: "SNMPv3 user name"},
		{Name: "authPassword", Sensitive: true, Desc: "SNMPv3 authentication pass phrase"},
		{Name: "privPassword", Sensitive: true, Desc: "SNMPv3 privacy pass phrase"},
		{Name: "authProtocol", Desc: "SNMPv3 authentication: MD5 (default), SHA, SHA256, SHA384 or SHA512"},
		{Name: "privProtocol", Desc: "SNMPv3 privacy: DES (default), AES, AES192 or AES256"},
		{Name: "ondelay", Desc: "seconds the UPS waits once mains returns: written as ups.delay.start at start and before killpower"},
		{Name: "offdelay", Desc: "seconds before the UPS cuts its output: written as ups.delay.shutdown at start and before killpower"},
	},
	"nutdrv_qx":  megatecOptions(true),
	"blazer_ser": megatecOptions(false),
}

// megatecOptions are nutdrv_qx's (serial build, Q1/megatec protocol) or
// blazer_ser's keys.
func megatecOptions(qx bool) []Option {
	delay := "seconds (default 180)"
	if !qx {
		delay = "minutes (default 3)"
	}
	o := []Option{
		{Name: "offdelay", Desc: "seconds the UPS waits before cutting its output after a shutdown command (default 30)"},
		{Name: "ondelay", Desc: "how long the UPS waits before restoring its output once mains returns, in " + delay},
		{Name: "protocol", Desc: "the protocol; sysnut speaks megatec (Q1) only"},
		{Name: "cablepower", Desc: "the serial lines that power the cable: normal (DTR), reverse (RTS), both or none"},
		{Name: "norating", Flag: true, Desc: "do not ask the UPS for its ratings (F)"},
		{Name: "novendor", Flag: true, Desc: "do not ask the UPS for its identity (I)"},
		{Name: "runtimecal", Desc: "battery runtime calibration for NUT's runtime guesstimate", NoEffect: "sysnut makes no runtime guesstimate; battery.runtime is published only when the UPS reports it"},
		{Name: "chargetime", Desc: "battery charge time for NUT's runtime guesstimate", NoEffect: "sysnut makes no runtime guesstimate"},
		{Name: "idleload", Desc: "minimum load for NUT's runtime guesstimate", NoEffect: "sysnut makes no runtime guesstimate"},
	}
	if qx {
		o = append(o,
			Option{Name: "stayoff", Flag: true, Desc: "ups-driver -k leaves the output off when mains returns (shutdown.stayoff)"},
			Option{Name: "ignoresab", Flag: true, Desc: "ignore the UPS's 'shutdown active' status bit (no FSD from it)"},
			Option{Name: "pollfreq", Desc: "seconds between NUT's full polls (default 30)", NoEffect: "sysnut reads the whole Q1 status at every pollinterval"},
		)
	}
	return o
}

// elsewhere explains keys that NUT's build of a driver takes but sysnut's
// does not, so that the error says more than "unknown": Debian's
// nutdrv_qx is built for USB too.
var elsewhere = map[string]map[string]string{
	"nutdrv_qx": {
		"vendorid": "USB", "productid": "USB", "vendor": "USB", "product": "USB", "serial": "USB",
		"bus": "USB", "device": "USB", "busport": "USB", "subdriver": "USB", "langid_fix": "USB",
		"noscanlangid": "USB",
	},
}

// Supported reports whether sysnut provides the driver.
func Supported(driver string) bool { _, ok := Drivers[driver]; return ok }

// Names lists the drivers sysnut provides.
func Names() []string {
	var n []string
	for k := range Drivers {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// For returns the keys a driver takes: the common ones, then its own.
func For(driver string) []Option {
	return append(append([]Option(nil), Common...), Drivers[driver]...)
}

// find looks a key up: NUT's own keys (Common, main.c) exactly, the
// driver's without case, as NUT's storeval does.
func find(opts []Option, name string) (Option, bool) {
	for i, o := range opts {
		if o.Name == name || i >= len(Common) && strings.EqualFold(o.Name, name) {
			return o, true
		}
	}
	return Option{}, false
}

// Check returns an error for each key of the section that its driver
// does not know, naming file:line, as NUT's drivers refuse them, and
// notes for the keys it accepts without acting on: NoEffect options, and
// an option that needs a value written alone (NUT takes it as unset). A
// flag written with a value counts as the flag, as in NUT. An
// unsupported driver is one error.
func Check(file string, u *config.UPS) (notes []string, err error) {
	if !Supported(u.Driver) {
		return nil, fmt.Errorf("%s:%d: [%s]: driver %q is not supported by sysnut (supported: %s)",
			file, u.Line, u.Name, u.Driver, strings.Join(Names(), ", "))
	}
	opts := For(u.Driver)
	var errs []error
	check := func(line int, key, kind string, hasValue bool) {
		lower := strings.ToLower(key)
		if hasValue && (strings.HasPrefix(lower, "override.") || strings.HasPrefix(lower, "default.")) {
			return
		}
		o, ok := find(opts, key)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s:%d: [%s]: %s", file, line, u.Name, unknown(u.Driver, key, kind, opts)))
		case o.NoEffect != "":
			notes = append(notes, fmt.Sprintf("%s:%d: [%s]: %s has no effect in sysnut: %s", file, line, u.Name, o.Name, o.NoEffect))
		case !o.Flag && !hasValue:
			notes = append(notes, fmt.Sprintf("%s:%d: [%s]: %s has no value and is ignored (write %s = ...)", file, line, u.Name, o.Name, o.Name))
		}
	}
	for _, p := range u.Params {
		check(p.Line, p.Key, "variable name", true)
	}
	for i, f := range u.Flags {
		line := u.Line
		if i < len(u.FlagLines) {
			line = u.FlagLines[i]
		}
		check(line, f, "flag", false)
	}
	return notes, errors.Join(errs...)
}

// unknown is NUT's "is not a valid variable name for this driver", with
// the valid names and, where there is one, why sysnut's driver lacks it.
func unknown(driver, key, kind string, opts []Option) string {
	var names []string
	for _, o := range opts {
		names = append(names, o.Name)
	}
	msg := fmt.Sprintf("%q is not a valid %s for driver %s", key, kind, driver)
	if why, ok := elsewhere[driver][strings.ToLower(key)]; ok {
		msg += fmt.Sprintf(" (a %s option of NUT's %s: sysnut's speaks to serial ports only)", why, driver)
	}
	return msg + "; valid: " + strings.Join(names, ", ") + ", override.*, default.*"
}

// globalNoEffect are ups.conf's global keys for NUT's upsdrvctl and
// driver start-up that systemd's units take over.
var globalNoEffect = map[string]string{
	"maxretry":      "systemd restarts a driver that fails (Restart=always, RestartSec=5 in ups-driver@.service)",
	"retrydelay":    "systemd restarts a driver that fails (Restart=always, RestartSec=5 in ups-driver@.service)",
	"maxstartdelay": "systemd waits for the driver's READY=1 (TimeoutStartSec=)",
	"nowait":        "systemd starts the drivers in parallel and never waits on upsdrvctl",
	"chroot":        "the unit's sandbox (ProtectSystem=strict, DevicePolicy=strict) confines the driver",
	"user":          "the unit's User= decides (sysnut-driver)",
	"group":         "the unit's Group= decides (nut)",
	"driverpath":    "ups-driver runs every driver",
	"debug_min":     "the journal keeps every level; filter with journalctl -p",
}

// GlobalNotes says which of ups.conf's global keys have no effect under
// sysnut, and why.
func GlobalNotes(c *config.UPSConf) []string {
	var notes []string
	for _, k := range sortedKeys(c.Global) {
		if why, ok := globalNoEffect[k]; ok {
			notes = append(notes, fmt.Sprintf("%s: global %s has no effect in sysnut: %s", c.File, k, why))
		}
	}
	return notes
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CheckAll checks every section of ups.conf, and notes the global keys
// without effect.
func CheckAll(c *config.UPSConf) (notes []string, err error) {
	notes = GlobalNotes(c)
	var errs []error
	for i := range c.UPS {
		u := &c.UPS[i]
		if u.Driver == "" || u.Driver == "-" {
			continue // config already reported the section
		}
		n, err := Check(c.File, u)
		notes = append(notes, n...)
		errs = append(errs, err)
	}
	return notes, errors.Join(errs...)
}
