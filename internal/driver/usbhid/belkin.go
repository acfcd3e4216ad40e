package usbhid

import (
	"math"
	"strconv"
	"strings"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// Belkin is NUT 2.8.0's belkin-hid.c: Belkin (vendor 050d) and Liebert
// (10af) UPSes, with Belkin's own status bit fields and Liebert's
// voltage exponent correction.
var Belkin = &Subdriver{
	Name:    "Belkin/Liebert HID 0.18",
	Devices: belkinDevices,
	Usages:  belkinUsages,
	Rows:    belkinRows,
	Claim:   belkinClaim,
	Mfr:     belkinFormatMfr,
	Model:   belkinFormatModel,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/belkin-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var belkinDevices = []USBID{
	{Vendor: 0x050d, Product: 0x0980},
	{Vendor: 0x050d, Product: 0x0900},
	{Vendor: 0x050d, Product: 0x0910},
	{Vendor: 0x050d, Product: 0x0912},
	{Vendor: 0x050d, Product: 0x0551},
	{Vendor: 0x050d, Product: 0x0750},
	{Vendor: 0x050d, Product: 0x0751},
	{Vendor: 0x050d, Product: 0x0375},
	{Vendor: 0x050d, Product: 0x0f51},
	{Vendor: 0x050d, Product: 0x1100},
	{Vendor: 0x10af, Product: 0x0004},
	{Vendor: 0x10af, Product: 0x0001},
	{Vendor: 0x10af, Product: 0x0004},
	{Vendor: 0x10af, Product: 0x0008},
}

var belkinUsages = hid.Table{
	{Name: "BELKINConfig", Code: 0x00860026},
	{Name: "BELKINConfigVoltage", Code: 0x00860040},
	{Name: "BELKINConfigFrequency", Code: 0x00860042},
	{Name: "BELKINConfigApparentPower", Code: 0x00860043},
	{Name: "BELKINConfigBatteryVoltage", Code: 0x00860044},
	{Name: "BELKINConfigOverloadTransfer", Code: 0x00860045},
	{Name: "BELKINLowVoltageTransfer", Code: 0x00860053},
	{Name: "BELKINHighVoltageTransfer", Code: 0x00860054},
	{Name: "BELKINLowVoltageTransferMax", Code: 0x0086005b},
	{Name: "BELKINLowVoltageTransferMin", Code: 0x0086005c},
	{Name: "BELKINHighVoltageTransferMax", Code: 0x0086005d},
	{Name: "BELKINHighVoltageTransferMin", Code: 0x0086005e},
	{Name: "BELKINControls", Code: 0x00860027},
	{Name: "BELKINLoadOn", Code: 0x00860050},
	{Name: "BELKINLoadOff", Code: 0x00860051},
	{Name: "BELKINLoadToggle", Code: 0x00860052},
	{Name: "BELKINDelayBeforeReboot", Code: 0x00860055},
	{Name: "BELKINDelayBeforeStartup", Code: 0x00860056},
	{Name: "BELKINDelayBeforeShutdown", Code: 0x00860057},
	{Name: "BELKINTest", Code: 0x00860058},
	{Name: "BELKINAudibleAlarmControl", Code: 0x0086005a},
	{Name: "BELKINDevice", Code: 0x00860029},
	{Name: "BELKINVoltageSensitivity", Code: 0x00860074},
	{Name: "BELKINModelString", Code: 0x00860075},
	{Name: "BELKINModelStringOffset", Code: 0x00860076},
	{Name: "BELKINUPSType", Code: 0x0086007c},
	{Name: "BELKINPowerState", Code: 0x0086002a},
	{Name: "BELKINInput", Code: 0x0086001a},
	{Name: "BELKINOutput", Code: 0x0086001c},
	{Name: "BELKINBatterySystem", Code: 0x00860010},
	{Name: "BELKINVoltage", Code: 0x00860030},
	{Name: "BELKINFrequency", Code: 0x00860032},
	{Name: "BELKINPower", Code: 0x00860034},
	{Name: "BELKINPercentLoad", Code: 0x00860035},
	{Name: "BELKINTemperature", Code: 0x00860036},
	{Name: "BELKINCharge", Code: 0x00860039},
	{Name: "BELKINRunTimeToEmpty", Code: 0x0086006c},
	{Name: "BELKINStatus", Code: 0x00860028},
	{Name: "BELKINBatteryStatus", Code: 0x00860022},
	{Name: "BELKINPowerStatus", Code: 0x00860021},
}

var belkinTestInfo = &Lookup{Values: []LookupValue{{0, "No test initiated"}, {1, "Done and passed"}, {2, "Done and warning"}, {3, "Done and error"}, {4, "Aborted"}, {5, "In progress"}}}

var belkinRows = []Row{
	{Var: "battery.charge", Path: "UPS.BELKINBatterySystem.BELKINCharge", Format: "%.0f"},
	{Var: "battery.charge.low", Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f"},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Lookup: stringID},
	{Var: "battery.voltage", Path: "UPS.BELKINBatterySystem.BELKINVoltage", Format: "%s", Lookup: divideBy10Conversion},
	{Var: "battery.voltage.nominal", Path: "UPS.BELKINConfig.BELKINConfigBatteryVoltage", Format: "%.0f"},
	{Var: "input.frequency", Path: "UPS.BELKINPowerState.BELKINInput.BELKINFrequency", Format: "%s", Lookup: divideBy10Conversion},
	{Var: "input.frequency.nominal", Path: "UPS.BELKINConfig.BELKINConfigFrequency", Format: "%.0f"},
	{Var: "input.sensitivity", RW: true, Len: 10, Path: "UPS.BELKINDevice.BELKINVoltageSensitivity", Format: "%s", Lookup: belkinSensitivityConversion},
	{Var: "input.transfer.high", RW: true, Len: 10, Path: "UPS.BELKINConfig.BELKINHighVoltageTransfer", Format: "%.0f"},
	{Var: "input.transfer.high.max", Path: "UPS.BELKINConfig.BELKINHighVoltageTransferMax", Format: "%.0f"},
	{Var: "input.transfer.high.min", Path: "UPS.BELKINConfig.BELKINHighVoltageTransferMin", Format: "%.0f"},
	{Var: "input.transfer.low", RW: true, Len: 10, Path: "UPS.BELKINConfig.BELKINLowVoltageTransfer", Format: "%.0f"},
	{Var: "input.transfer.low.max", Path: "UPS.BELKINConfig.BELKINLowVoltageTransferMax", Format: "%.0f"},
	{Var: "input.transfer.low.min", Path: "UPS.BELKINConfig.BELKINLowVoltageTransferMin", Format: "%.0f"},
	{Var: "input.voltage", Path: "UPS.BELKINPowerState.BELKINInput.BELKINVoltage", Format: "%s", Lookup: divideBy10Conversion},
	{Var: "input.voltage.nominal", Path: "UPS.BELKINConfig.BELKINConfigVoltage", Format: "%.0f"},
	{Var: "output.frequency", Path: "UPS.BELKINPowerState.BELKINOutput.BELKINFrequency", Format: "%s", Lookup: divideBy10Conversion},
	{Var: "output.voltage", Path: "UPS.BELKINPowerState.BELKINOutput.BELKINVoltage", Format: "%s", Lookup: divideBy10Conversion},
	{Var: "ups.beeper.status", Path: "UPS.BELKINControls.BELKINAudibleAlarmControl", Format: "%s", Lookup: beeperInfo},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.BELKINControls.BELKINDelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.BELKINControls.BELKINDelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.BELKINControls.BELKINDelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.BELKINControls.BELKINDelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.BELKINControls.BELKINDelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.firmware", Path: "UPS.BELKINDevice.BELKINUPSType", Format: "%s", Lookup: belkinFirmwareConversion},
	{Var: "ups.load", Path: "UPS.BELKINPowerState.BELKINOutput.BELKINPercentLoad", Format: "%.0f"},
	{Var: "ups.load.high", Path: "UPS.BELKINConfig.BELKINConfigOverloadTransfer", Format: "%.0f"},
	{Var: "ups.mfr.date", Path: "UPS.PowerSummary.ManufacturerDate", Format: "%s", Lookup: dateConversion},
	{Var: "ups.power.nominal", Path: "UPS.BELKINConfig.BELKINConfigApparentPower", Format: "%.0f"},
	{Var: "ups.serial", Path: "UPS.PowerSummary.iSerialNumber", Format: "%s", Lookup: stringID},
	{Var: "ups.test.result", Path: "UPS.BELKINControls.BELKINTest", Format: "%s", Lookup: belkinTestInfo},
	{Var: "ups.type", Path: "UPS.BELKINDevice.BELKINUPSType", Format: "%s", Lookup: belkinUpstypeConversion},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f", Flags: QuickPoll},
	{Var: "input.frequency", Path: "UPS.Input.Frequency", Format: "%s", Lookup: divideBy10Conversion},
	{Var: "input.voltage", Path: "UPS.Input.Voltage", Format: "%s", Lookup: liebertLineVoltageInfo},
	{Var: "output.voltage", Path: "UPS.Output.Voltage", Format: "%s", Lookup: liebertLineVoltageInfo},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%s", Lookup: liebertLineVoltageInfo},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%s", Flags: Static, Lookup: liebertConfigVoltageInfo},
	{Var: "ups.load", Path: "UPS.Output.PercentLoad", Format: "%.0f"},
	{Var: "BOOL", Path: "UPS.PowerSummary.Discharging", Flags: QuickPoll, Lookup: liebertDischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.Charging", Flags: QuickPoll, Lookup: liebertChargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.ShutdownImminent", Lookup: liebertShutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.ACPresent", Flags: QuickPoll, Lookup: liebertOnlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: liebertDischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: liebertChargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Lookup: liebertShutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: liebertOnlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Flags: QuickPoll, Lookup: liebertReplacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: liebertLowbattInfo},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINPowerStatus", Lookup: belkinOverloadConversion},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINPowerStatus", Lookup: belkinOverheatConversion},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINPowerStatus", Lookup: belkinCommfaultConversion},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINPowerStatus", Lookup: belkinAwaitingpowerConversion},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINPowerStatus", Flags: QuickPoll, Lookup: belkinOnlineConversion},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINBatteryStatus", Flags: QuickPoll, Lookup: belkinDepletedConversion},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINBatteryStatus", Lookup: belkinReplacebattConversion},
	{Var: "BOOL", Path: "UPS.BELKINStatus.BELKINBatteryStatus", Flags: QuickPoll, Lookup: belkinLowbattConversion},
	{Var: "test.battery.start.quick", Path: "UPS.BELKINControls.BELKINTest", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.BELKINControls.BELKINTest", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.BELKINControls.BELKINTest", Format: "3", Flags: Cmd},
	{Var: "beeper.on", Path: "UPS.BELKINControls.BELKINAudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.off", Path: "UPS.BELKINControls.BELKINAudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.BELKINControls.BELKINAudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.BELKINControls.BELKINAudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.mute", Path: "UPS.BELKINControls.BELKINAudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "load.off", Path: "UPS.BELKINControls.BELKINDelayBeforeShutdown", Format: "1", Flags: Cmd},
	{Var: "load.on", Path: "UPS.BELKINControls.BELKINDelayBeforeStartup", Format: "1", Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.BELKINControls.BELKINDelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.BELKINControls.BELKINDelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.BELKINControls.BELKINDelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.BELKINControls.BELKINDelayBeforeReboot", Format: "10", Flags: Cmd},
}

// belkinClaim is NUT's belkin_claim: the standard claim, except that
// Belkin's 4-port hub (0218) is never a UPS.
func belkinClaim(d *Device, productid bool) bool {
	switch supportOf(belkinDevices, d) {
	case Supported:
		return true
	case PossiblySupported:
		return productid && !(d.VendorID == 0x050d && d.ProductID == 0x0218)
	}
	return false
}

// belkinFormatMfr is the manufacturer string without its leading spaces,
// or Belkin.
func belkinFormatMfr(d *Device, _ func(string, string)) string {
	if m := strings.TrimLeft(d.Vendor, " "); m != "" {
		return m
	}
	return "Belkin"
}

// belkinFormatModel is the product string, or "unknown".
func belkinFormatModel(d *Device, _ func(string, string)) string {
	if d.Product != "" {
		return d.Product
	}
	return "unknown"
}

// truthy is a status flag set by any non-zero value (Liebert's, which
// may come scaled by 1e-7 through a broken descriptor).
func truthy(name string) *Lookup {
	return &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		if v != 0 {
			return name, true
		}
		return "!" + name, true
	}}
}

// bitFlag is a status flag from a bit of Belkin's status words; invert
// for a bit that means the flag is clear (0001: on battery).
func bitFlag(mask int64, name string, invert bool) *Lookup {
	return &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		if (int64(v)&mask != 0) != invert {
			return name, true
		}
		return "!" + name, true
	}}
}

var (
	liebertOnlineInfo      = truthy("online")
	liebertDischargingInfo = truthy("dischrg")
	liebertChargingInfo    = truthy("chrg")
	liebertLowbattInfo     = truthy("lowbatt")
	liebertReplacebattInfo = truthy("replacebatt")
	liebertShutdownimmInfo = truthy("shutdownimm")

	belkinOverloadConversion      = bitFlag(0x0010, "overload", false)
	belkinOverheatConversion      = bitFlag(0x0040, "overheat", false)
	belkinCommfaultConversion     = bitFlag(0x0080, "commfault", false)
	belkinAwaitingpowerConversion = bitFlag(0x2000, "awaitingpower", false)
	belkinOnlineConversion        = bitFlag(0x0001, "online", true)
	belkinLowbattConversion       = bitFlag(0x0004, "lowbatt", false)
	belkinDepletedConversion      = bitFlag(0x0040, "depleted", false)
	belkinReplacebattConversion   = bitFlag(0x0080, "replacebatt", false)

	// belkinFirmwareConversion drops the low nibble.
	belkinFirmwareConversion = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		return strconv.FormatInt(int64(v)>>4, 10), true
	}}
	belkinUpstypeConversion = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		switch int64(v) & 0x0f {
		case 1:
			return "offline", true
		case 2:
			return "line-interactive", true
		case 3:
			return "simple online", true
		case 4:
			return "simple offline", true
		case 5:
			return "simple line-interactive", true
		}
		return "online", true
	}}
	// belkinSensitivityConversion has no way back: NUT writes -1 for any
	// value set (a bug); sysnut refuses the SET.
	belkinSensitivityConversion = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		switch int64(v) {
		case 1:
			return "reduced", true
		case 2:
			return "low", true
		}
		return "normal", true
	}}
)

// Liebert units whose descriptor puts a 1e-7 exponent on voltages: a
// nominal voltage that reads 1e-7 sets the correction (x1e8 for it, x1e7
// for line voltages) for the rest of the session, as NUT's
// liebert_config_voltage_fun and liebert_line_voltage_fun do (NUT prints
// into a 10-byte buffer).
var (
	liebertConfigVoltageInfo = &Lookup{Fun: func(v float64, d *Device) (string, bool) {
		if v < 1 && math.Abs(v-1e-7) < 1e-9 {
			d.Memo["liebert_config_voltage_mult"] = 1e8
			d.Memo["liebert_line_voltage_mult"] = 1e7
		}
		return driver.CBuf(cformat("%.1f", v*memoOr(d, "liebert_config_voltage_mult", 1)), 10), true
	}}
	liebertLineVoltageInfo = &Lookup{Fun: func(v float64, d *Device) (string, bool) {
		if v < 1 && math.Abs(v-1e-7) < 1e-9 {
			d.Memo["liebert_line_voltage_mult"] = 1e7
		}
		return driver.CBuf(cformat("%.1f", v*memoOr(d, "liebert_line_voltage_mult", 1)), 10), true
	}}
)
