package usbhid

import (
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// CyberPower is NUT 2.8.0's cps-hid.c: CyberPower (vendor 0764), with
// NUT's fix of broken descriptors and its clamps.
var CyberPower = &Subdriver{
	Name:    "CyberPower HID 0.6",
	Devices: cpsDevices,
	Rows:    cpsRows,
	Mfr:     mfrOr("CPS"),
	Model:   usbProduct,
	Serial:  usbSerial,
	Fix:     cpsFix,
}

// The tables are NUT 2.8.0's (drivers/cps-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var cpsDevices = []USBID{
	{Vendor: 0x0764, Product: 0x0005},
	{Vendor: 0x0764, Product: 0x0501, Quirk: "cps_battery_scale"},
	{Vendor: 0x0764, Product: 0x0601},
}

var cpsRows = []Row{
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Lookup: stringID},
	{Var: "battery.mfr.date", Path: "UPS.PowerSummary.iOEMInformation", Format: "%s", Lookup: stringID},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f"},
	{Var: "battery.charge.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%s", Lookup: cpsBattcharge},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.runtime.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingTimeLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%.0f"},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%s", Lookup: cpsBattvolt},
	{Var: "ups.load", Path: "UPS.Output.PercentLoad", Format: "%.0f"},
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Lookup: beeperInfo},
	{Var: "ups.test.result", Path: "UPS.Output.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.realpower.nominal", Path: "UPS.Output.ConfigActivePower", Format: "%.0f"},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.Output.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.Output.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.Output.DelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.Output.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.Output.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FullyCharged", Lookup: fullyChargedInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.Output.Boost", Lookup: boostInfo},
	{Var: "BOOL", Path: "UPS.Output.Overload", Lookup: overloadInfo},
	{Var: "input.frequency", Path: "UPS.Input.Frequency", Format: "%.1f"},
	{Var: "input.voltage.nominal", Path: "UPS.Input.ConfigVoltage", Format: "%.0f"},
	{Var: "input.voltage", Path: "UPS.Input.Voltage", Format: "%.1f"},
	{Var: "input.transfer.low", RW: true, Len: 10, Path: "UPS.Input.LowVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.high", RW: true, Len: 10, Path: "UPS.Input.HighVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "output.frequency", Path: "UPS.Output.Frequency", Format: "%.1f"},
	{Var: "output.voltage", Path: "UPS.Output.Voltage", Format: "%.1f"},
	{Var: "output.voltage.nominal", Path: "UPS.Output.ConfigVoltage", Format: "%.0f"},
	{Var: "test.battery.start.quick", Path: "UPS.Output.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.Output.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.Output.Test", Format: "3", Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.Output.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.Output.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.Output.DelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.Output.DelayBeforeReboot", Format: "10", Flags: Cmd},
	{Var: "beeper.on", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.off", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.mute", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
}

// cpsBattcharge clamps the charge to 100%: some units report more.
var cpsBattcharge = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
	return driver.CBuf(cformat("%.0f", min(v, 100)), 8), true
}}

// cpsBattvolt scales the battery voltage by 2/3 on the units (product
// 0501) whose firmware reports it 1.5 times too high: the first time
// the voltage and its nominal are both known, a ratio above 1.4 decides
// it for good (NUT's cps_adjust_battery_scale).
var cpsBattvolt = &Lookup{Fun: func(v float64, d *Device) (string, bool) {
	scale, checked := d.Memo["cps_battery_scale"]
	if !checked {
		scale = 1
		if d.Quirks["cps_battery_scale"] && d.Published != nil {
			if s, ok := d.Published("battery.voltage.nominal"); ok {
				if nom := strtod(s); nom != 0 {
					if v/nom > 1.4 {
						scale = 2.0 / 3
					}
					d.Memo["cps_battery_scale"] = scale
				}
			}
		}
	}
	return driver.CBuf(cformat("%.1f", scale*v), 8), true
}}

// cpsFix is NUT's cps_fix_report_desc: some 0501 units (CP900EPFCLCD)
// give the output voltage the high transfer point's logical extents;
// then the output voltage gets 0..511. (NUT 2.8.0 logs that it fixes
// the input voltage too, but leaves it as it is; so does sysnut.)
func cpsFix(d *Device, desc *hid.Descriptor) {
	if d.VendorID != 0x0764 || d.ProductID != 0x0501 {
		return
	}
	const highTransfer, voltage = 0x00840054, 0x00840030
	hvt := findIDNode(desc, 16, highTransfer)
	if hvt == nil {
		return
	}
	if out := findIDNode(desc, 18, voltage); out != nil && out.LogMin == hvt.LogMin && out.LogMax == hvt.LogMax {
		out.LogMin, out.LogMax = 0, 511
	}
}
