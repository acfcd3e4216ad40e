package usbhid

import (
	"strconv"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// PowerCOM is NUT 2.8.0's powercom-hid.c: PowerCOM (vendor 0d9f), with
// its packed delay words and status bits.
var PowerCOM = &Subdriver{
	Name:    "PowerCOM HID 0.6",
	Devices: powercomDevices,
	Usages:  powercomUsages,
	Rows:    powercomRows,
	Claim:   powercomClaim,
	Mfr:     mfrOr("PowerCOM"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/powercom-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var powercomDevices = []USBID{
	{Vendor: 0x0d9f, Product: 0x00a2},
	{Vendor: 0x0d9f, Product: 0x00a3},
	{Vendor: 0x0d9f, Product: 0x00a4},
	{Vendor: 0x0d9f, Product: 0x00a5},
	{Vendor: 0x0d9f, Product: 0x00a6},
	{Vendor: 0x0d9f, Product: 0x0004},
	{Vendor: 0x0d9f, Product: 0x0001},
}

var powercomUsages = hid.Table{
	{Name: "PowercomUPS", Code: 0x00020004},
	{Name: "PowercomBatterySystem", Code: 0x00020010},
	{Name: "PowercomPowerConverter", Code: 0x00020016},
	{Name: "PowercomInput", Code: 0x0002001a},
	{Name: "PowercomOutput", Code: 0x0002001c},
	{Name: "PowercomVoltage", Code: 0x00020030},
	{Name: "PowercomFrequency", Code: 0x00020032},
	{Name: "PowercomPercentLoad", Code: 0x00020035},
	{Name: "PowercomTemperature", Code: 0x00020036},
	{Name: "PowercomDelayBeforeStartup", Code: 0x00020056},
	{Name: "PowercomDelayBeforeShutdown", Code: 0x00020057},
	{Name: "PowercomTest", Code: 0x00020058},
	{Name: "PowercomShutdownRequested", Code: 0x00020068},
	{Name: "PowercomInternalChargeController", Code: 0x00020081},
	{Name: "PowercomPrimaryBatterySupport", Code: 0x00020082},
	{Name: "PowercomDesignCapacity", Code: 0x00020083},
	{Name: "PowercomSpecificationInfo", Code: 0x00020084},
	{Name: "PowercomManufacturerDate", Code: 0x00020085},
	{Name: "PowercomSerialNumber", Code: 0x00020086},
	{Name: "PowercomManufacturerName", Code: 0x00020087},
	{Name: "POWERCOM1", Code: 0x0084002f},
	{Name: "POWERCOM2", Code: 0xff860060},
	{Name: "POWERCOM3", Code: 0xff860080},
	{Name: "PCMDelayBeforeStartup", Code: 0x00ff0056},
	{Name: "PCMDelayBeforeShutdown", Code: 0x00ff0057},
}

var powercomBeeperInfo = &Lookup{Values: []LookupValue{{1, "enabled"}, {2, "disabled"}}}

var powercomRows = []Row{
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BatteryPresent", Lookup: nobatteryInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.CommunicationLost", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.ACPresent", Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.BatteryPresent", Lookup: nobatteryInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.BelowRemainingCapacityLimit", Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.Boost", Lookup: boostInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.Buck", Lookup: trimInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.Charging", Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.CommunicationLost", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.Discharging", Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.Overload", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.RemainingTimeLimitExpired", Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.PresentStatus.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge", Path: "UPS.Battery.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge.low", Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f"},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.date", Path: "UPS.Battery.ManufacturerDate", Format: "%s", Flags: Static, Lookup: dateConversion},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Lookup: powercomBeeperInfo},
	{Var: "ups.beeper.status", Path: "UPS.AudibleAlarmControl", Format: "%s", Lookup: powercomBeeperInfo},
	{Var: "ups.load", Path: "UPS.Output.PercentLoad", Format: "%.0f"},
	{Var: "ups.date", Path: "UPS.PowerSummary.ManufacturerDate", Format: "%s", Flags: Static, Lookup: dateConversion},
	{Var: "ups.test.result", Path: "UPS.Battery.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.delay.start", RW: true, Len: 8, Path: "UPS.PowerSummary.DelayBeforeStartup", Format: "60", Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.PowerSummary.DelayBeforeStartup", Format: "%.0f", Lookup: powercomStartupInfo},
	{Var: "ups.delay.shutdown", RW: true, Len: 8, Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.shutdown", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll, Lookup: powercomShutdownInfo},
	{Var: "ups.delay.shutdown", RW: true, Len: 8, Path: "UPS.PowerSummary.PCMDelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.shutdown", Path: "UPS.PowerSummary.PCMDelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll, Lookup: powercomShutdownInfo},
	{Var: "input.voltage", Path: "UPS.Input.Voltage", Format: "%.1f"},
	{Var: "input.voltage.nominal", Path: "UPS.Input.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "input.frequency", Path: "UPS.Input.Frequency", Format: "%.1f"},
	{Var: "output.voltage", Path: "UPS.Output.Voltage", Format: "%.1f"},
	{Var: "output.voltage.nominal", Path: "UPS.Output.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "output.frequency", Path: "UPS.Output.Frequency", Format: "%.1f"},
	{Var: "beeper.toggle", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "0", Flags: Cmd},
	{Var: "test.battery.start.quick", Path: "UPS.Battery.Test", Format: "1", Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.PowerSummary.DelayBeforeStartup", Flags: Cmd, Lookup: powercomStartupInfo},
	{Var: "shutdown.return", Path: "UPS.PowerSummary.DelayBeforeShutdown", Flags: Cmd, Lookup: powercomShutdownInfo},
	{Var: "shutdown.stayoff", Path: "UPS.PowerSummary.DelayBeforeShutdown", Flags: Cmd, Lookup: powercomStayoffInfo},
	{Var: "load.on", Path: "UPS.PowerSummary.PCMDelayBeforeStartup", Format: "0", Flags: Cmd, Lookup: powercomStartupInfo},
	{Var: "load.off", Path: "UPS.PowerSummary.PCMDelayBeforeShutdown", Format: "0", Flags: Cmd, Lookup: powercomStayoffInfo},
	{Var: "shutdown.return", Path: "UPS.PowerSummary.PCMDelayBeforeShutdown", Flags: Cmd, Lookup: powercomShutdownInfo},
	{Var: "shutdown.stayoff", Path: "UPS.PowerSummary.PCMDelayBeforeShutdown", Flags: Cmd, Lookup: powercomStayoffInfo},
	{Var: "ups.serial", Path: "PowercomUPS.PowercomSerialNumber", Format: "%s", Lookup: stringID},
	{Var: "ups.mfr", Path: "PowercomUPS.PowercomManufacturerName", Format: "%s", Lookup: stringID},
	{Var: "ups.mfr.date", Path: "PowercomUPS.PowercomManufacturerDate", Format: "%s", Lookup: dateConversion},
	{Var: "battery.temperature", Path: "PowercomUPS.PowercomBatterySystem.PowercomTemperature", Format: "%.0f"},
	{Var: "battery.temperature", Path: "UPS.Battery.Temperature", Format: "%.1f"},
	{Var: "battery.charge", Path: "PowercomUPS.PowercomBatterySystem.PowercomVoltage", Format: "%.0f"},
	{Var: "input.frequency", Path: "PowercomUPS.PowercomPowerConverter.PowercomInput.PowercomFrequency", Format: "%.0f"},
	{Var: "input.voltage", Path: "PowercomUPS.PowercomPowerConverter.PowercomInput.PowercomVoltage", Format: "%.0f", Lookup: powercomVoltageConversion},
	{Var: "output.voltage", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomVoltage", Format: "%.0f", Lookup: powercomVoltageConversion},
	{Var: "ups.load", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomPercentLoad", Format: "%.0f"},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomInternalChargeController", Flags: QuickPoll, Lookup: powercomUpsfailConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomInternalChargeController", Flags: QuickPoll, Lookup: powercomReplacebattConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomInternalChargeController", Flags: QuickPoll, Lookup: powercomTestConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomInternalChargeController", Flags: QuickPoll, Lookup: powercomShutdownimmConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomPrimaryBatterySupport", Flags: QuickPoll, Lookup: powercomOnlineConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomPrimaryBatterySupport", Flags: QuickPoll, Lookup: powercomLowbattConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomPrimaryBatterySupport", Flags: QuickPoll, Lookup: powercomTrimConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomPrimaryBatterySupport", Flags: QuickPoll, Lookup: powercomBoostConversion},
	{Var: "BOOL", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomPrimaryBatterySupport", Flags: QuickPoll, Lookup: powercomOverloadConversion},
	{Var: "output.frequency", Path: "PowercomUPS.PowercomPowerConverter.PowercomOutput.PowercomFrequency", Format: "%.0f"},
	{Var: "ups.test.result", Path: "PowercomUPS.PowercomPowerConverter.PowercomTest", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.delay.shutdown", Path: "PowercomUPS.PowercomPowerConverter.PowercomDelayBeforeShutdown", Format: "%.0f"},
	{Var: "ups.delay.start", Path: "PowercomUPS.PowercomPowerConverter.PowercomDelayBeforeStartup", Format: "%.0f"},
	{Var: "load.off", Path: "PowercomUPS.PowercomPowerConverter.PowercomDelayBeforeShutdown", Format: "0", Flags: Cmd},
}

// powercomClaim is NUT's powercom_claim: product 0002 is a serial
// PowerCOM behind a USB adapter (NUT's powercom driver), never this one.
// (NUT reads product 0001 through the interrupt pipe only; sysnut polls
// it as any other.)
func powercomClaim(d *Device, productid bool) bool {
	switch supportOf(powercomDevices, d) {
	case Supported:
		return true
	case PossiblySupported:
		return productid && d.ProductID != 0x0002
	}
	return false
}

// powercomDelay is the delay a command sends: its own value, or when it
// has none the delay ups.conf or SET gave (NUT's dstate_getinfo), as an
// integer (C's atoi), 0 when out of 16 bits.
func powercomDelay(s string, d *Device, held string) (uint16, bool) {
	if s == "" && d.Published != nil {
		s, _ = d.Published(held)
	}
	n := driver.Atol(s)
	if n < 0 || n > 0xffff {
		return 0, false
	}
	return uint16(n), true
}

// PowerCOM's delay words: the start delay in minutes with its bytes
// swapped; the shutdown delay as seconds (high byte) and minutes (low
// byte), with bit 14 (restart when mains returns) or bit 15 (stay off).
var (
	powercomStartupInfo = &Lookup{
		Fun: func(v float64, _ *Device) (string, bool) {
			i := int(uint16(int64(v)))
			return strconv.Itoa(60 * ((i&0xff)<<8 + i>>8)), true
		},
		Rev: func(s string, d *Device) (float64, bool) {
			if s == "" && d.Published != nil {
				s, _ = d.Published("ups.delay.start")
			}
			n := driver.Atol(s) / 60
			if n < 0 || n > 0xffff {
				return 0, true
			}
			v := uint16(n)
			return float64(v<<8 + v>>8), true
		},
	}
	powercomShutdownInfo = &Lookup{
		Fun: func(v float64, _ *Device) (string, bool) {
			i := int(uint16(int64(v)))
			return strconv.Itoa(60*(i&0xff) + i>>8), true
		},
		Rev: func(s string, d *Device) (float64, bool) { return powercomShutdownWord(s, d, 0x4000), true },
	}
	powercomStayoffInfo = &Lookup{
		Rev: func(s string, d *Device) (float64, bool) { return powercomShutdownWord(s, d, 0x8000), true },
	}
)

func powercomShutdownWord(s string, d *Device, restart uint16) float64 {
	v, ok := powercomDelay(s, d, "ups.delay.shutdown")
	if !ok {
		return 0
	}
	if v == 0 {
		v = 1 // 0 would be the longest delay
	}
	return float64((v%60)<<8 + v/60 | restart)
}

var (
	// powercomVoltageConversion: the UPS counts in 4 V steps.
	powercomVoltageConversion = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		return cformat("%.0f", v*4), true
	}}
	powercomUpsfailConversion     = bitFlag(0x0001, "fanfail", false)
	powercomReplacebattConversion = bitFlag(0x0002, "replacebatt", false)
	powercomTestConversion        = bitFlag(0x0004, "cal", false)
	powercomShutdownimmConversion = bitFlag(0x0010, "shutdownimm", false)
	powercomOnlineConversion      = bitFlag(0x0001, "online", true)
	powercomLowbattConversion     = bitFlag(0x0002, "lowbatt", false)
	powercomOverloadConversion    = bitFlag(0x0020, "overload", false)
	powercomTrimConversion        = maskFlag(0x0018, 0x0008, "trim")
	powercomBoostConversion       = maskFlag(0x0018, 0x0018, "boost")
)

// maskFlag is a status flag set when the bits under mask equal want.
func maskFlag(mask, want int64, name string) *Lookup {
	return &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		if int64(v)&mask == want {
			return name, true
		}
		return "!" + name, true
	}}
}
