package usbhid

import "github.com/sysnut/sysnut/internal/hid"

// TrippLite is NUT 2.8.0's tripplite-hid.c: Tripp Lite (vendor 09ae) and
// the HP and Minuteman units built on it, with NUT's per-product scales.
var TrippLite = &Subdriver{
	Name:    "TrippLite HID 0.84",
	Devices: trippliteDevices,
	Usages:  trippliteUsages,
	Rows:    trippliteRows,
	Mfr:     usbVendor,
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/tripplite-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var trippliteDevices = []USBID{
	{Vendor: 0x09ae, Product: 0x1003, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x1007, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x1008, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x1009, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x1010, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x1330, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x2005, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2007, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2008, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2009, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2010, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2011, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2012, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2013, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x2014, Quirk: "battery_scale_0dot1"},
	{Vendor: 0x09ae, Product: 0x3008, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3009, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3010, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3011, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3012, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3013, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3014, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3015, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x3016, Quirk: "smart1500lcdt_scale"},
	{Vendor: 0x09ae, Product: 0x3024, Quirk: "smart1500lcdt_scale"},
	{Vendor: 0x09ae, Product: 0x4001, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x4002, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x4003, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x4004, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x4005, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x4006, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x4007, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x09ae, Product: 0x4008, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x0001, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1fe0, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1fe1, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1fe2, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1fe3, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1f06, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1f08, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1f09, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x03f0, Product: 0x1f0a, Quirk: "battery_scale_1dot0"},
	{Vendor: 0x05dd, Product: 0xa011, Quirk: "battery_scale_1dot0"},
}

var trippliteUsages = hid.Table{
	{Name: "TLCustom", Code: 0xffff0010},
	{Name: "TLDelayBeforeStartup", Code: 0xffff0056},
	{Name: "TLLowVoltageTransferMax", Code: 0xffff0057},
	{Name: "TLLowVoltageTransferMin", Code: 0xffff0058},
	{Name: "TLHighVoltageTransferMax", Code: 0xffff0059},
	{Name: "TLHighVoltageTransferMin", Code: 0xffff005a},
	{Name: "OutletState", Code: 0xffff007a},
	{Name: "OutletCount", Code: 0xffff007b},
	{Name: "UPSFirmwareVersion", Code: 0xffff007c},
	{Name: "CommunicationProtocolVersion", Code: 0xffff007d},
	{Name: "CommunicationVersion", Code: 0xffff007e},
	{Name: "iUPSPartNumber", Code: 0xffff007f},
	{Name: "AutoOnDelay", Code: 0xffff0080},
	{Name: "TLWatchdog", Code: 0xffff0092},
	{Name: "TLOutletsAvailableMask", Code: 0xffff0095},
	{Name: "TLOutletsStatusMask", Code: 0xffff0096},
	{Name: "TLCharging", Code: 0x00840044},
	{Name: "TLDischarging", Code: 0x00840045},
	{Name: "TLNeedReplacement", Code: 0x0084004b},
	{Name: "TLACPresent", Code: 0x008400d0},
}

var trippliteRows = []Row{
	{Var: "device.part", Path: "UPS.TLCustom.[1].iUPSPartNumber", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge", Path: "UPS.BatterySystem.Battery.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge.low", RW: true, Len: 5, Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.voltage.nominal", Path: "UPS.BatterySystem.Battery.ConfigVoltage", Format: "%.1f", Flags: Static},
	{Var: "battery.voltage", Path: "UPS.BatterySystem.Battery.Voltage", Format: "%s", Lookup: trippliteBattvolt},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Flags: Static, Lookup: trippliteChemistry},
	{Var: "battery.temperature", Path: "UPS.BatterySystem.Temperature", Format: "%s", Lookup: kelvinCelsius},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.OutletSystem.Outlet.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.OutletSystem.Outlet.TLDelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.OutletSystem.Outlet.DelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.start", Path: "UPS.OutletSystem.Outlet.TLDelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.OutletSystem.Outlet.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.test.result", Path: "UPS.BatterySystem.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Lookup: beeperInfo},
	{Var: "ups.power.nominal", Path: "UPS.Flow.ConfigApparentPower", Format: "%.0f", Flags: Static},
	{Var: "ups.power", Path: "UPS.OutletSystem.Outlet.ActivePower", Format: "%.1f"},
	{Var: "ups.power", Path: "UPS.PowerConverter.Output.ActivePower", Format: "%.1f"},
	{Var: "ups.load", Path: "UPS.OutletSystem.Outlet.PercentLoad", Format: "%.0f"},
	{Var: "ups.firmware", Path: "UPS.TLCustom.[1].UPSFirmwareVersion", Format: "%.0f", Flags: Static},
	{Var: "ups.watchdog.status", Path: "UPS.OutletSystem.Outlet.TLWatchdog", Format: "%.0f"},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.InternalFailure", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyCharged", Flags: QuickPoll, Lookup: fullyChargedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyDischarged", Flags: QuickPoll, Lookup: depletedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.TLACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.TLDischarging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "ups.load.nominal", Path: "UPS.Flow.ConfigPercentLoad", Format: "%.0f"},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.TLCharging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.TLNeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.VoltageOutOfRange", Lookup: vrangeInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.Buck", Lookup: trimInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.Boost", Lookup: boostInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.Overload", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.OverTemperature", Lookup: overheatInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.InternalFailure", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.AwaitingPower", Lookup: awaitingpowerInfo},
	{Var: "input.voltage.nominal", Path: "UPS.PowerSummary.Input.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "input.voltage", Path: "UPS.PowerSummary.Input.Voltage", Format: "%s", Lookup: trippliteIovolt},
	{Var: "input.voltage", Path: "UPS.PowerConverter.Input.Voltage", Format: "%s", Lookup: trippliteIovolt},
	{Var: "input.frequency", Path: "UPS.PowerConverter.Input.Frequency", Format: "%s", Lookup: trippliteIofreq},
	{Var: "input.transfer.low", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.LowVoltageTransfer", Format: "%.1f", Flags: SemiStatic},
	{Var: "input.transfer.low.max", Path: "UPS.PowerConverter.Output.TLLowVoltageTransferMax", Format: "%.0f", Flags: Static},
	{Var: "input.transfer.low.min", Path: "UPS.PowerConverter.Output.TLLowVoltageTransferMin", Format: "%.0f", Flags: Static},
	{Var: "input.transfer.high", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.HighVoltageTransfer", Format: "%.1f", Flags: SemiStatic},
	{Var: "input.transfer.high.max", Path: "UPS.PowerConverter.Output.TLHighVoltageTransferMax", Format: "%.0f", Flags: Static},
	{Var: "input.transfer.high.min", Path: "UPS.PowerConverter.Output.TLHighVoltageTransferMin", Format: "%.0f", Flags: Static},
	{Var: "output.voltage.nominal", Path: "UPS.Flow.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "output.voltage", Path: "UPS.PowerConverter.Output.Voltage", Format: "%s", Lookup: trippliteIovolt},
	{Var: "output.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%s", Lookup: trippliteIovolt},
	{Var: "output.current", Path: "UPS.PowerConverter.Output.Current", Format: "%s", Lookup: trippliteIoamp},
	{Var: "output.frequency.nominal", Path: "UPS.Flow.ConfigFrequency", Format: "%.0f", Flags: Static},
	{Var: "output.frequency", Path: "UPS.PowerConverter.Output.Frequency", Format: "%s", Lookup: trippliteIofreq},
	{Var: "test.battery.start.quick", Path: "UPS.BatterySystem.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.BatterySystem.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.BatterySystem.Test", Format: "3", Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.OutletSystem.Outlet.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.OutletSystem.Outlet.TLDelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.OutletSystem.Outlet.DelayBeforeReboot", Format: "10", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.OutletSystem.Outlet.TLWatchdog", Format: "10", Flags: Cmd},
	{Var: "reset.watchdog", Path: "UPS.OutletSystem.Outlet.TLWatchdog", Format: "60", Flags: Cmd},
	{Var: "beeper.on", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.off", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.mute", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
}

// trippliteScale is the multipliers of battery voltage, input/output
// voltage, frequency and current that NUT's device table hooks set per
// product (default 1).
type trippliteScale struct{ batt, volt, freq, amp float64 }

func trippliteScales(d *Device) trippliteScale {
	switch {
	case d.Quirks["battery_scale_0dot1"]:
		return trippliteScale{0.1, 1, 1, 1}
	case d.Quirks["smart1500lcdt_scale"]:
		return trippliteScale{100000, 100000, 0.01, 0.01}
	}
	return trippliteScale{1, 1, 1, 1}
}

// Tripp Lite's scaled values, printed into NUT's 8-byte buffer.
var (
	trippliteBattvolt = scaled("%.1f", 8, func(d *Device) float64 { return trippliteScales(d).batt })
	trippliteIovolt   = scaled("%.1f", 8, func(d *Device) float64 { return trippliteScales(d).volt })
	trippliteIofreq   = scaled("%.1f", 8, func(d *Device) float64 { return trippliteScales(d).freq })
	trippliteIoamp    = scaled("%.1f", 8, func(d *Device) float64 { return trippliteScales(d).amp })
)

// trippliteChemistry is the battery chemistry string, "unknown" on the
// AVR550U (1003) and OMNI1000LCD (2005), whose firmware gets it wrong.
var trippliteChemistry = &Lookup{Indexed: true, Fun: func(v float64, d *Device) (string, bool) {
	if d.ProductID == 0x1003 || d.ProductID == 0x2005 {
		return "unknown", true
	}
	return stringID.Fun(v, d)
}}
