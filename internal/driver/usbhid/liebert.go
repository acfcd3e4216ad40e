package usbhid

// Liebert is NUT 2.8.0's liebert-hid.c: Phoenixtec (vendor 06da) and the
// Liebert, PowerWalker and other UPSes built on it.
var Liebert = &Subdriver{
	Name:    "Phoenixtec/Liebert HID 0.41",
	Devices: liebertDevices,
	Rows:    liebertRows,
	Mfr:     mfrOr("Liebert"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/liebert-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var liebertDevices = []USBID{
	{Vendor: 0x06da, Product: 0xffff},
}

var liebertRows = []Row{
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%.2f"},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%.2f", Flags: Static},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Lookup: stringID},
	{Var: "ups.load", Path: "UPS.PowerSummary.PercentLoad", Format: "%.0f"},
	{Var: "output.voltage", Path: "UPS.PowerConverter.Output.Voltage", Format: "%.1f"},
	{Var: "output.frequency", Path: "UPS.PowerConverter.Output.Frequency", Format: "%.2f"},
	{Var: "output.transfer.high", Path: "UPS.PowerConverter.Output.HighVoltageTransfer", Format: "%.1f", Flags: SemiStatic},
	{Var: "output.transfer.low", Path: "UPS.PowerConverter.Output.LowVoltageTransfer", Format: "%.1f", Flags: SemiStatic},
	{Var: "input.voltage", Path: "UPS.PowerConverter.Input.[1].Voltage", Format: "%.1f"},
	{Var: "input.frequency", Path: "UPS.PowerConverter.Input.[1].Frequency", Format: "%.2f"},
	{Var: "input.transfer.low", Path: "UPS.PowerConverter.Output.ffff0057", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.high", Path: "UPS.PowerConverter.Output.ffff0058", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.frequency.transfer.low", Path: "UPS.PowerConverter.Output.ffff00f9", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.frequency.transfer.high", Path: "UPS.PowerConverter.Output.ffff00f8", Format: "%.0f", Flags: SemiStatic},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Format: "%.0f", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Format: "%.0f", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Format: "%.0f", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Format: "%.0f", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Format: "%.0f", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Format: "%.0f", Lookup: shutdownimmInfo},
}
