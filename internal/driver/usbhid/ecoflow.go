package usbhid

import "strconv"

// EcoFlow is NUT's ecoflow-hid.c (after 2.8.0, "EcoFlow HID 0.01"):
// EcoFlow power stations (vendor 3746) that present themselves as a HID
// UPS. Their runtime comes in minutes.
var EcoFlow = &Subdriver{
	Name:    "EcoFlow HID 0.01",
	Devices: ecoflowDevices,
	Rows:    ecoflowRows,
	Mfr:     mfrOr("EcoFlow"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT's (drivers/ecoflow-hid.c): the one product it
// claims outright (others of the vendor with productid =), and its rows
// in NUT's order.
var ecoflowDevices = []USBID{{Vendor: 0x3746, Product: 0xffff}}

// ecoflowRuntime is ecoflow_battery_runtime_conversion: minutes to
// seconds; a negative value is not published.
var ecoflowRuntime = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
	if v < 0 {
		return "", false
	}
	return strconv.FormatFloat(v*60, 'f', 0, 64), true
}}

var ecoflowRows = []Row{
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Flags: QuickPoll, Lookup: beeperInfo},
	{Var: "ups.power.nominal", Path: "UPS.Flow.[4].ConfigActivePower", Format: "%.0f", Flags: Static},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%.1f", Flags: SemiStatic},
	{Var: "ups.timer.reboot", Path: "UPS.OutletSystem.Outlet.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.capacity.nominal", Path: "UPS.PowerSummary.DesignCapacity", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.capacity", Path: "UPS.PowerSummary.FullChargeCapacity", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "experimental.ups.powersummary.ioeminformation", Path: "UPS.PowerSummary.iOEMInformation", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "ups.mfr.date", Path: "UPS.PowerSummary.ManufacturerDate", Format: "%s", Lookup: dateConversion},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BatteryPresent", Flags: QuickPoll, Lookup: nobatteryInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.CommunicationLost", Flags: QuickPoll, Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyCharged", Flags: QuickPoll, Lookup: fullyChargedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyDischarged", Flags: QuickPoll, Lookup: depletedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Flags: QuickPoll, Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Flags: QuickPoll, Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", Flags: QuickPoll, Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Flags: QuickPoll, Lookup: shutdownimmInfo},
	{Var: "experimental.ups.powersummary.presentstatus.shutdownrequested", Path: "UPS.PowerSummary.PresentStatus.ShutdownRequested", Format: "%.0f"},
	{Var: "experimental.ups.powersummary.presentstatus.voltagenotregulated", Path: "UPS.PowerSummary.PresentStatus.VoltageNotRegulated", Format: "%.0f"},
	{Var: "experimental.ups.powersummary.rechargeable", Path: "UPS.PowerSummary.Rechargeable", Format: "%.0f"},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.charge.low", RW: true, Len: 5, Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.runtime.low", Path: "UPS.PowerSummary.RemainingTimeLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f", Flags: QuickPoll, Lookup: ecoflowRuntime},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%.1f", Flags: QuickPoll},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f", Flags: SemiStatic},
}
