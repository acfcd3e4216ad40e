package usbhid

// Salicru is NUT 2.8.0's salicru-hid.c: Salicru UPSes (vendor 2e66).
var Salicru = &Subdriver{
	Name:    "Salicru HID 0.3",
	Devices: salicruDevices,
	Rows:    salicruRows,
	Mfr:     mfrOr("Salicru"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/salicru-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var salicruDevices = []USBID{
	{Vendor: 0x2e66, Product: 0x0201},
	{Vendor: 0x2e66, Product: 0x0202},
	{Vendor: 0x2e66, Product: 0x0203},
	{Vendor: 0x2e66, Product: 0x0300},
}

var salicruRows = []Row{
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Lookup: stringID},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f"},
	{Var: "battery.charge.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.runtime.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingTimeLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%.0f"},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%.2f"},
	{Var: "ups.load", Path: "UPS.Output.PercentLoad", Format: "%.0f"},
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Lookup: beeperInfo},
	{Var: "ups.test.result", Path: "UPS.Output.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.realpower.nominal", Path: "UPS.Output.ConfigActivePower", Format: "%.0f"},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyCharged", Lookup: fullyChargedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.Output.CommunicationLost", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.Output.Boost", Lookup: boostInfo},
	{Var: "BOOL", Path: "UPS.Output.Overload", Lookup: overloadInfo},
	{Var: "input.frequency", Path: "UPS.Input.Frequency", Format: "%.1f"},
	{Var: "input.voltage.nominal", Path: "UPS.Input.ConfigVoltage", Format: "%.0f"},
	{Var: "input.voltage", Path: "UPS.Input.Voltage", Format: "%.1f"},
	{Var: "input.transfer.high", Path: "UPS.PowerConverter.Output.HighVoltageTransfer", Format: "%.0f", Flags: Static},
	{Var: "input.transfer.low", Path: "UPS.PowerConverter.Output.LowVoltageTransfer", Format: "%.0f", Flags: Static},
	{Var: "output.frequency", Path: "UPS.Output.Frequency", Format: "%.1f"},
	{Var: "output.voltage", Path: "UPS.Output.Voltage", Format: "%.1f"},
	{Var: "output.voltage.nominal", Path: "UPS.Output.ConfigVoltage", Format: "%.0f"},
	{Var: "ups.load", Path: "UPS.PowerSummary.PercentLoad", Format: "%.0f"},
	{Var: "ups.test.result", Path: "UPS.BatterySystem.Battery.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.realpower.nominal", Path: "UPS.Flow.[4].ConfigActivePower", Format: "%.0f"},
	{Var: "ups.realpower", Path: "UPS.PowerConverter.Output.ActivePower", Format: "%.0f"},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.OverTemperature", Lookup: overheatInfo},
	{Var: "input.frequency", Path: "UPS.PowerConverter.Input.[1].Frequency", Format: "%.1f"},
	{Var: "input.voltage", Path: "UPS.PowerConverter.Input.[1].Voltage", Format: "%.1f"},
	{Var: "output.frequency", Path: "UPS.PowerConverter.Output.Frequency", Format: "%.1f"},
	{Var: "output.voltage", Path: "UPS.PowerConverter.Output.Voltage", Format: "%.1f"},
	{Var: "output.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%.0f"},
	{Var: "ups.test.result", Path: "UPS.BatterySystem.Battery.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "test.battery.start.quick", Path: "UPS.BatterySystem.Battery.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.BatterySystem.Battery.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.BatterySystem.Battery.Test", Format: "3", Flags: Cmd},
}
