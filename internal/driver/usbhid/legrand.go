package usbhid

// Legrand is NUT 2.8.0's legrand-hid.c: Legrand Keor UPSes (vendor 1cb0).
var Legrand = &Subdriver{
	Name:    "Legrand HID 0.2",
	Devices: legrandDevices,
	Rows:    legrandRows,
	Mfr:     mfrOr("Legrand"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/legrand-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var legrandDevices = []USBID{
	{Vendor: 0x1cb0, Product: 0x0038, Quirk: "pollonly"},
	{Vendor: 0x1cb0, Product: 0x0032, Quirk: "pollonly"},
}

var legrandRows = []Row{
	{Var: "input.voltage", Path: "UPS.Input.Voltage", Format: "%.0f"},
	{Var: "input.voltage", Path: "UPS.PowerConverter.Input.Voltage", Format: "%.0f", Lookup: legrandTimes1MInfo},
	{Var: "input.transfer.high", Path: "UPS.Input.HighVoltageTransfer", Format: "%.0f", Flags: Static},
	{Var: "input.transfer.high", Path: "UPS.PowerConverter.Output.HighVoltageTransfer", Format: "%.0f", Flags: Static, Lookup: legrandTimes10Info},
	{Var: "input.transfer.low", Path: "UPS.Input.LowVoltageTransfer", Format: "%.0f", Flags: Static},
	{Var: "input.transfer.low", Path: "UPS.PowerConverter.Output.LowVoltageTransfer", Format: "%.0f", Flags: Static},
	{Var: "input.voltage.nominal", Path: "UPS.Input.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "input.voltage.nominal", Path: "UPS.Flow.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%.0f", Flags: Static, Lookup: divideBy10Conversion},
	{Var: "battery.voltage.nominal", Path: "UPS.BatterySystem.Battery.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%.0f", Lookup: divideBy10Conversion},
	{Var: "battery.voltage", Path: "UPS.BatterySystem.Battery.Voltage", Format: "%.0f", Lookup: legrandTimes100kInfo},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RuntimeToEmpty", Format: "%.0f"},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f", Flags: Static},
	{Var: "battery.charge.low", Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: Static},
	{Var: "output.voltage", Path: "UPS.Output.Voltage", Format: "%.0f"},
	{Var: "output.voltage", Path: "UPS.PowerConverter.Output.Voltage", Format: "%.0f", Lookup: legrandTimes10MInfo},
	{Var: "output.frequency", Path: "UPS.Output.Frequency", Format: "%.0f"},
	{Var: "ups.load", Path: "UPS.Output.PercentLoad", Format: "%.0f"},
	{Var: "ups.load", Path: "UPS.OutletSystem.Outlet.PercentLoad", Format: "%.0f"},
	{Var: "ups.realpower.nominal", Path: "UPS.Output.ConfigActivePower", Format: "%.0f", Flags: Static},
	{Var: "ups.realpower.nominal", Path: "UPS.Flow.ConfigApparentPower", Format: "%.0f", Flags: Static},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.Output.Overload", Flags: QuickPoll, Lookup: overloadInfo},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.OutletSystem.Outlet.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.Output.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.Output.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "load.off.delay", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.OutletSystem.Outlet.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.Output.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.Output.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "test.battery.start.quick", Path: "UPS.BatterySystem.Battery.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.BatterySystem.Battery.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.BatterySystem.Battery.Test", Format: "3", Flags: Cmd},
	{Var: "test.battery.start.quick", Path: "UPS.Output.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.Output.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.Output.Test", Format: "3", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
}

// legrandTimes multiplies the value back to what the UPS measures
// (its descriptor's exponents are off by these factors).
func legrandTimes(k float64) *Lookup {
	return scaled("%.1f", 20, func(*Device) float64 { return k })
}

var (
	legrandTimes10Info   = legrandTimes(10)
	legrandTimes100kInfo = legrandTimes(100000)
	legrandTimes1MInfo   = legrandTimes(1000000)
	legrandTimes10MInfo  = legrandTimes(10000000)
)
