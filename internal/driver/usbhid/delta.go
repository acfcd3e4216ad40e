package usbhid

import "github.com/sysnut/sysnut/internal/hid"

// DeltaUPS is NUT 2.8.0's delta_ups-hid.c: Delta UPSes (vendor 05dd).
var DeltaUPS = &Subdriver{
	Name:    "Delta UPS HID 0.6",
	Devices: deltaDevices,
	Usages:  deltaUsages,
	Rows:    deltaRows,
	Mfr:     mfrOr("Delta"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/delta_ups-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var deltaDevices = []USBID{
	{Vendor: 0x05dd, Product: 0x041b},
}

var deltaUsages = hid.Table{
	{Name: "DELTA1", Code: 0x00000000},
	{Name: "DELTA2", Code: 0xff000055},
	{Name: "DeltaCustom", Code: 0xffff0010},
	{Name: "DELTA4", Code: 0xffff0056},
	{Name: "DeltaConfigTransferLowMax", Code: 0xffff0057},
	{Name: "DeltaConfigTransferLowMin", Code: 0xffff0058},
	{Name: "DeltaConfigTransferHighMax", Code: 0xffff0059},
	{Name: "DeltaConfigTransferHighMin", Code: 0xffff005a},
	{Name: "DELTA9", Code: 0xffff0060},
	{Name: "DeltaConfigExternalBatteryPack", Code: 0xffff0061},
	{Name: "DELTA11", Code: 0xffff0062},
	{Name: "DELTA12", Code: 0xffff0063},
	{Name: "DELTA13", Code: 0xffff0064},
	{Name: "DELTA14", Code: 0xffff0065},
	{Name: "DELTA15", Code: 0xffff0066},
	{Name: "DELTA16", Code: 0xffff0067},
	{Name: "DELTA17", Code: 0xffff0068},
	{Name: "DeltaModelName", Code: 0xffff0075},
	{Name: "DELTA19", Code: 0xffff0076},
	{Name: "DeltaUPSType", Code: 0xffff007c},
	{Name: "DELTA21", Code: 0xffff007d},
	{Name: "DeltaConfigStartPowerRestoreDelay", Code: 0xffff0081},
	{Name: "DeltaOutputSource", Code: 0xffff0091},
	{Name: "DELTA24", Code: 0xffff0092},
	{Name: "DELTA25", Code: 0xffff0093},
	{Name: "DELTA26", Code: 0xffff0094},
	{Name: "DELTA27", Code: 0xffff0095},
	{Name: "DELTA28", Code: 0xffff0096},
	{Name: "DELTA29", Code: 0xffff0097},
	{Name: "DELTA30", Code: 0xffff0098},
	{Name: "DELTA31", Code: 0xffff0099},
	{Name: "DELTA32", Code: 0xffff009a},
	{Name: "DeltaConfigSensitivity", Code: 0xffff009b},
	{Name: "DeltaConfigStartPowerRestore", Code: 0xffff009c},
}

var deltaUpsSensitivityInfo = &Lookup{Values: []LookupValue{{0, "normal"}, {1, "reduced"}, {2, "low"}}}
var deltaUpsOutputSourceInfo = &Lookup{Values: []LookupValue{{0, "normal"}, {1, "battery"}, {2, "bypass/reserve"}, {3, "reducing"}, {4, "boosting"}, {5, "manual bypass"}, {6, "other"}, {7, "no output"}, {8, "on eco"}}}

var deltaRows = []Row{
	{Var: "input.sensitivity", RW: true, Path: "UPS.DeltaCustom.[1].DeltaConfigSensitivity", Format: "%s", Lookup: deltaUpsSensitivityInfo},
	{Var: "input.voltage.nominal", Path: "UPS.PowerSummary.Input.ConfigVoltage", Format: "%.1f", Flags: SemiStatic},
	{Var: "input.voltage", Path: "UPS.PowerSummary.Input.Voltage", Format: "%.1f", Flags: QuickPoll},
	{Var: "input.voltage", Path: "UPS.PowerConverter.Input.Voltage", Format: "%.1f", Flags: QuickPoll},
	{Var: "input.transfer.low", RW: true, Path: "UPS.PowerConverter.Output.LowVoltageTransfer", Format: "%.1f"},
	{Var: "input.transfer.high", RW: true, Path: "UPS.PowerConverter.Output.HighVoltageTransfer", Format: "%.1f"},
	{Var: "input.transfer.low.min", Path: "UPS.PowerConverter.Output.DeltaConfigTransferLowMin", Format: "%.1f", Flags: Static},
	{Var: "input.transfer.low.max", Path: "UPS.PowerConverter.Output.DeltaConfigTransferLowMax", Format: "%.1f", Flags: Static},
	{Var: "input.transfer.high.min", Path: "UPS.PowerConverter.Output.DeltaConfigTransferHighMin", Format: "%.1f", Flags: Static},
	{Var: "input.transfer.high.max", Path: "UPS.PowerConverter.Output.DeltaConfigTransferHighMax", Format: "%.1f", Flags: Static},
	{Var: "input.source", Path: "UPS.OutletSystem.Outlet.DeltaOutputSource", Format: "%s", Lookup: deltaUpsOutputSourceInfo},
	{Var: "input.frequency", Path: "UPS.PowerConverter.Input.Frequency", Format: "%.1f", Flags: QuickPoll},
	{Var: "battery.voltage.nominal", Path: "UPS.BatterySystem.Battery.ConfigVoltage", Format: "%.1f", Flags: Static},
	{Var: "battery.voltage", Path: "UPS.BatterySystem.Battery.Voltage", Format: "%.1f", Flags: QuickPoll},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.charge", Path: "UPS.BatterySystem.Battery.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge.low", RW: true, Len: 5, Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.temperature", Path: "UPS.BatterySystem.Temperature", Format: "%s", Flags: QuickPoll, Lookup: kelvinCelsius},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "battery.capacity", Path: "UPS.PowerSummary.DesignCapacity", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.capacity", Path: "UPS.PowerSummary.FullChargeCapacity", Format: "%.0f", Flags: SemiStatic},
	{Var: "output.voltage.nominal", Path: "UPS.Flow.ConfigVoltage", Format: "%.1f", Flags: SemiStatic},
	{Var: "output.frequency.nominal", Path: "UPS.Flow.ConfigFrequency", Format: "%.1f", Flags: SemiStatic},
	{Var: "output.voltage", Path: "UPS.PowerConverter.Output.Voltage", Format: "%.1f", Flags: QuickPoll},
	{Var: "output.frequency", Path: "UPS.PowerConverter.Output.Frequency", Format: "%.1f", Flags: QuickPoll},
	{Var: "output.current", Path: "UPS.PowerConverter.Output.Current", Format: "%.1f", Flags: QuickPoll},
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Flags: QuickPoll, Lookup: beeperInfo},
	{Var: "ups.test.result", Path: "UPS.BatterySystem.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.type", Path: "UPS.DeltaCustom.[1].DeltaUPSType", Format: "%s", Flags: Static, Lookup: deltaUpsTypeInfo},
	{Var: "ups.start.auto", RW: true, Path: "UPS.DeltaCustom.[1].DeltaConfigStartPowerRestore", Format: "%s", Lookup: yesNoInfo},
	{Var: "ups.power.nominal", Path: "UPS.Flow.ConfigApparentPower", Format: "%.0f", Flags: Static},
	{Var: "ups.realpower", Path: "UPS.OutletSystem.Outlet.ActivePower", Format: "%.1f", Flags: QuickPoll},
	{Var: "ups.realpower", Path: "UPS.PowerConverter.Output.ActivePower", Format: "%.1f", Flags: QuickPoll},
	{Var: "ups.load", Path: "UPS.OutletSystem.Outlet.PercentLoad", Format: "%.1f", Flags: QuickPoll},
	{Var: "ups.delay.start", RW: true, Path: "UPS.OutletSystem.Outlet.DeltaConfigStartPowerRestoreDelay", Format: "%.0f"},
	{Var: "ups.timer.start", Path: "UPS.OutletSystem.Outlet.DelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.OutletSystem.Outlet.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Good", Flags: QuickPoll, Lookup: offInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.InternalFailure", Flags: QuickPoll, Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Flags: QuickPoll, Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyCharged", Flags: QuickPoll, Lookup: fullyChargedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyDischarged", Flags: QuickPoll, Lookup: depletedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Flags: QuickPoll, Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.VoltageOutOfRange", Flags: QuickPoll, Lookup: vrangeInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.Buck", Flags: QuickPoll, Lookup: trimInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.Boost", Flags: QuickPoll, Lookup: boostInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.Overload", Flags: QuickPoll, Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.Used", Flags: QuickPoll, Lookup: nobatteryInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.OverTemperature", Flags: QuickPoll, Lookup: overheatInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.InternalFailure", Flags: QuickPoll, Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.PresentStatus.AwaitingPower", Flags: QuickPoll, Lookup: awaitingpowerInfo},
	{Var: "beeper.on", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.off", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.mute", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "test.battery.start.quick", Path: "UPS.BatterySystem.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.BatterySystem.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.BatterySystem.Test", Format: "3", Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.OutletSystem.Outlet.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.OutletSystem.Outlet.DelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.OutletSystem.Outlet.DelayBeforeReboot", Format: "10", Flags: Cmd},
}

// deltaUpsTypeInfo names the UPS type from the low 4 bits of Delta's
// type usage (6 is split phase; 3 to 5 count from 1).
var deltaUpsTypeInfo = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
	types := []string{"online", "offline", "line-interactive", "3-phase", "split-phase"}
	t := int(v) & 0xf
	if t == 6 {
		t = 4
	} else if t > 2 && t <= 5 {
		t -= 2
	}
	if t < 0 || t > 4 {
		return "", false
	}
	return types[t], true
}}
