package usbhid

import "github.com/sysnut/sysnut/internal/hid"

// Powervar is NUT 2.8.0's powervar-hid.c: AMETEK Powervar UPM UPSes.
var Powervar = &Subdriver{
	Name:    "Powervar HID 0.20",
	Devices: powervarDevices,
	Usages:  powervarUsages,
	Rows:    powervarRows,
	Mfr:     mfrOr("Powervar"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/powervar-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var powervarDevices = []USBID{
	{Vendor: 0x4234, Product: 0x0002},
}

var powervarUsages = hid.Table{
	{Name: "POWERVAR1", Code: 0xff000001},
}

var powervarRows = []Row{
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Lookup: stringID},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.capacity", Path: "UPS.PowerSummary.FullChargeCapacity", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RuntimeToEmpty", Format: "%.0f"},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.InternalFailure", Lookup: yesNoInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Good", Lookup: yesNoInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.OverTemperature", Lookup: overheatInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyCharged", Lookup: fullyChargedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyDischarged", Lookup: depletedInfo},
}
