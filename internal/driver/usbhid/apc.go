package usbhid

import (
	"fmt"
	"strings"

	"github.com/sysnut/sysnut/internal/hid"
)

// APC is NUT 2.8.0's apc-hid.c: APC Back-UPS and Smart-UPS with USB
// (vendor 0x051d).
var APC = &Subdriver{
	Name:    "APC HID 0.98",
	Devices: apcDevices,
	Usages:  apcUsages,
	Rows:    apcRows,
	Mfr: func(d *Device, _ func(string, string)) string {
		if d.Vendor == "" {
			return "APC"
		}
		return d.Vendor
	},
	Model:  apcModel,
	Serial: usbSerial,
	Fix:    apcFix,
}

// apcDevices is apc_usb_device_table. The Smart-UPS (0003) polls only,
// as NUT makes it (its interrupt pipe misbehaves). For some Back-UPS
// (0002) NUT reads reports into its whole buffer (max_report_size);
// sysnut reads the descriptor's length, as NUT does for every other UPS.
var apcDevices = []USBID{
	{Vendor: 0x051d, Product: 0x0000},
	{Vendor: 0x051d, Product: 0x0002, Quirk: "general_apc_check"},
	{Vendor: 0x051d, Product: 0x0003, Quirk: "pollonly"},
}

// apcModel splits APC's product string "Back-UPS 500 FW: 6.5.I USB FW:
// c1 " into the model and, as NUT does, ups.firmware and
// ups.firmware.aux (with the spaces NUT keeps).
func apcModel(d *Device, set func(string, string)) string {
	model := d.Product
	if model == "" {
		return "unknown"
	}
	i := strings.Index(model, "FW:")
	if i < 0 {
		return model
	}
	fw := model[i+len("FW:"):]
	if i > 0 {
		model = model[:i-1]
	} else {
		model = ""
	}
	if j := strings.Index(fw, "USB FW:"); j >= 0 {
		aux := fw[j+len("USB FW:"):]
		if j > 0 {
			fw = fw[:j-1]
		} else {
			fw = ""
		}
		set("ups.firmware.aux", aux)
	}
	set("ups.firmware", fw)
	return model
}

// apcFix is NUT's apc_fix_report_desc: the Back-UPS XS 1400U (0x0002)
// reports input voltage extents too small for a 230 V country.
func apcFix(d *Device, desc *hid.Descriptor) {
	if d.VendorID != 0x051d || d.ProductID != 0x0002 {
		return
	}
	const high, volt, config = 0x00840054, 0x00840030, 0x00840040
	hvt := findIDNode(desc, 0x33, high)
	if hvt == nil {
		return
	}
	if v := findIDNode(desc, 0x31, volt); v != nil && hvt.LogMax > v.LogMax {
		v.LogMin, v.LogMax = 0, hvt.LogMax*2
	}
	if c := findIDNode(desc, 0x30, config); c != nil && hvt.LogMax > c.LogMax {
		c.LogMax = 255
	}
}

// findIDNode is NUT's FindObject_with_ID_Node: the first field of the
// report whose path ends with the usage.
func findIDNode(d *hid.Descriptor, id uint8, usage hid.Node) *hid.Field {
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.ReportID == id && len(f.Path) > 0 && f.Path[len(f.Path)-1] == usage {
			return f
		}
	}
	return nil
}

// apcDate reads APC's hexadecimal-as-decimal dates (0x102202 is
// 2002/10/22).
var apcDate = &Lookup{
	Fun: func(v float64, _ *Device) (string, bool) {
		n := int64(v)
		if n == 0 {
			return "not set", true
		}
		year := n&0xf + 10*((n>>4)&0xf)
		month := (n>>16)&0xf + 10*((n>>20)&0xf)
		day := (n>>8)&0xf + 10*((n>>12)&0xf)
		if year >= 70 {
			year += 1900
		} else {
			year += 2000
		}
		return fmt.Sprintf("%04d/%02d/%02d", year, month, day), true
	},
	Rev: func(s string, _ *Device) (float64, bool) {
		var y, m, d int64
		if _, err := fmt.Sscanf(s, "%04d/%02d/%02d", &y, &m, &d); err != nil {
			return 0, false
		}
		if y >= 2070 || m > 12 || d > 31 {
			return 0, true
		}
		y %= 100
		n := (y/10&0x0f)<<4 + y%10 + (m/10&0x0f)<<20 + (m%10)<<16 + (d/10&0x0f)<<12 + (d%10)<<8
		return float64(n), true
	},
}

var (
	apcStatusFlag   = &Lookup{Values: []LookupValue{{8, "!off"}, {16, "!off"}, {0, "off"}}}
	apcVRangeCause  = &Lookup{Values: []LookupValue{{1, "vrange"}, {2, "vrange"}, {4, "vrange"}, {8, "vrange"}, {9, "vrange"}, {0, "!vrange"}}}
	apcFRangeCause  = &Lookup{Values: []LookupValue{{7, "frange"}, {0, "!frange"}}}
	apcSensitivity  = &Lookup{Values: []LookupValue{{0, "low"}, {1, "medium"}, {2, "high"}}}
	defaultOndelay  = "30"
	defaultOffdelay = "20"
)

// apcUsages are APC's vendor usages (apc_usage_lkp).
var apcUsages = hid.Table{
	{Name: "APCGeneralCollection", Code: 0xff860005},
	{Name: "APCEnvironment", Code: 0xff860006},
	{Name: "APCProbe1", Code: 0xff860007},
	{Name: "APCProbe2", Code: 0xff860008},
	{Name: "APCBattReplaceDate", Code: 0xff860016},
	{Name: "APCBattCapBeforeStartup", Code: 0xff860019},
	{Name: "APC_UPS_FirmwareRevision", Code: 0xff860042},
	{Name: "APCLineFailCause", Code: 0xff860052},
	{Name: "APCStatusFlag", Code: 0xff860060},
	{Name: "APCSensitivity", Code: 0xff860061},
	{Name: "APCPanelTest", Code: 0xff860072},
	{Name: "APCShutdownAfterDelay", Code: 0xff860076},
	{Name: "APC_USB_FirmwareRevision", Code: 0xff860079},
	{Name: "APCDelayBeforeReboot", Code: 0xff86007c},
	{Name: "APCDelayBeforeShutdown", Code: 0xff86007d},
	{Name: "APCDelayBeforeStartup", Code: 0xff86007e},
	{Name: "BUPHibernate", Code: 0x00850058},
	{Name: "BUPBattCapBeforeStartup", Code: 0x00860012},
	{Name: "BUPDelayBeforeStartup", Code: 0x00860076},
	{Name: "BUPSelfTest", Code: 0x00860010},
}

// apcRows is apc_hid2nut, in NUT's order (the first row of a variable
// that the device has wins).
var apcRows = []Row{
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.Battery.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.runtime.low", RW: true, Len: 10, Path: "UPS.Battery.RemainingTimeLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.runtime.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingTimeLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.voltage", Path: "UPS.Battery.Voltage", Format: "%.1f"},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%.1f"},
	{Var: "battery.voltage.nominal", Path: "UPS.Battery.ConfigVoltage", Format: "%.1f"},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%.1f"},
	{Var: "battery.temperature", Path: "UPS.Battery.Temperature", Format: "%s", Lookup: kelvinCelsius},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Lookup: stringID},
	{Var: "battery.mfr.date", RW: true, Len: 10, Path: "UPS.Battery.ManufacturerDate", Format: "%s", Flags: SemiStatic, Lookup: dateConversion},
	{Var: "battery.mfr.date", Path: "UPS.PowerSummary.APCBattReplaceDate", Format: "%s", Lookup: apcDate},
	{Var: "battery.date", Path: "UPS.Battery.APCBattReplaceDate", Format: "%s", Lookup: apcDate},

	{Var: "ups.load", Path: "UPS.Output.PercentLoad", Format: "%.1f"},
	{Var: "ups.load", Path: "UPS.PowerConverter.PercentLoad", Format: "%.0f"},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.PowerSummary.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.PowerSummary.DelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.PowerSummary.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.Output.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.Output.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.Output.DelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.Output.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.Output.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.APCGeneralCollection.APCDelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.APCGeneralCollection.APCDelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.APCGeneralCollection.APCDelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.APCGeneralCollection.APCDelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.APCGeneralCollection.APCDelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.test.result", Path: "UPS.Battery.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Lookup: beeperInfo},
	{Var: "ups.mfr.date", Path: "UPS.ManufacturerDate", Format: "%s", Lookup: dateConversion},
	{Var: "ups.mfr.date", Path: "UPS.PowerSummary.ManufacturerDate", Format: "%s", Lookup: dateConversion},
	{Var: "ups.realpower.nominal", Path: "UPS.PowerConverter.ConfigActivePower", Format: "%.0f"},
	{Var: "ups.realpower.nominal", Path: "UPS.Output.ConfigActivePower", Format: "%.0f"},

	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BatteryPresent", Lookup: nobatteryInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.Charging", Flags: QuickPoll, Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.APCStatusFlag", Flags: QuickPoll, Lookup: apcStatusFlag},
	{Var: "BOOL", Path: "UPS.Input.APCLineFailCause", Lookup: apcVRangeCause},
	{Var: "BOOL", Path: "UPS.Input.APCLineFailCause", Lookup: apcFRangeCause},

	{Var: "input.voltage", Path: "UPS.Input.Voltage", Format: "%.1f"},
	{Var: "input.voltage.nominal", Path: "UPS.Input.ConfigVoltage", Format: "%.0f"},
	{Var: "input.transfer.low", RW: true, Len: 10, Path: "UPS.Output.LowVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.high", RW: true, Len: 10, Path: "UPS.Output.HighVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.low", RW: true, Len: 10, Path: "UPS.Input.LowVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.high", RW: true, Len: 10, Path: "UPS.Input.HighVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.sensitivity", RW: true, Len: 10, Path: "UPS.Input.APCSensitivity", Format: "%s", Flags: SemiStatic, Lookup: apcSensitivity},

	{Var: "output.voltage", Path: "UPS.Output.Voltage", Format: "%.1f"},
	{Var: "output.voltage.nominal", Path: "UPS.Output.ConfigVoltage", Format: "%.1f"},
	{Var: "output.current", Path: "UPS.Output.Current", Format: "%.2f"},
	{Var: "output.frequency", Path: "UPS.Output.Frequency", Format: "%.1f"},

	{Var: "ambient.temperature", Path: "UPS.APCEnvironment.APCProbe1.Temperature", Format: "%s", Lookup: kelvinCelsius},
	{Var: "ambient.humidity", Path: "UPS.APCEnvironment.APCProbe1.Humidity", Format: "%.1f"},

	{Var: "test.battery.start.quick", Path: "UPS.BatterySystem.Battery.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.quick", Path: "UPS.Battery.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.BatterySystem.Battery.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.Battery.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.BatterySystem.Battery.Test", Format: "3", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.Battery.Test", Format: "3", Flags: Cmd},
	{Var: "test.panel.start", Path: "UPS.APCPanelTest", Format: "1", Flags: Cmd},
	{Var: "test.panel.stop", Path: "UPS.APCPanelTest", Format: "0", Flags: Cmd},
	{Var: "test.panel.start", Path: "UPS.PowerSummary.APCPanelTest", Format: "1", Flags: Cmd},
	{Var: "test.panel.stop", Path: "UPS.PowerSummary.APCPanelTest", Format: "0", Flags: Cmd},

	{Var: "load.off.delay", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.PowerSummary.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.PowerSummary.DelayBeforeReboot", Format: "10", Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.Output.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.Output.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.Output.DelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.Output.DelayBeforeReboot", Format: "10", Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.APCGeneralCollection.APCDelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.APCGeneralCollection.APCDelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.APCGeneralCollection.APCDelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.APCGeneralCollection.APCDelayBeforeReboot", Format: "10", Flags: Cmd},
	{Var: "shutdown.return", Path: "UPS.Output.APCDelayBeforeReboot", Format: "1", Flags: Cmd},

	{Var: "beeper.on", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.off", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.mute", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
}
