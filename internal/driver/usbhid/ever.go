package usbhid

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// Ever is NUT 2.8.0's ever-hid.c: Ever UPSes (vendor 2e51, and an ST
// Microelectronics product id they use). Many of its values are read by
// functions straight from report buffers by report number, as NUT's are
// (Device.Report): the network card's addresses and counters, the work
// mode, the messages and the alarms.
var Ever = &Subdriver{
	Name:    "Ever HID 0.1",
	Devices: everDevices,
	Usages:  everUsages,
	Rows:    everRows,
	Mfr:     mfrOr("Ever"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

var everDevices = []USBID{
	{Vendor: 0x0483, Product: 0xa113},
	{Vendor: 0x2e51, Product: 0xffff},
	{Vendor: 0x2e51, Product: 0x0000},
}

// everHardware is ever_format_hardware_fun: "rev.<letter>v<NN>" from the
// high and low bytes. A letter beyond Z (NUT reads past its table) is
// left out.
var everHardware = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
	n := uint32(int64(v))
	letters := "0ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var l string
	if i := (n & 0xff00) >> 8; i < uint32(len(letters)) {
		l = letters[i : i+1]
	}
	return driver.CBuf(fmt.Sprintf("rev.%sv%02d", l, n&0xff), 10), true
}}

// everVersion is ever_format_version_fun: "v<major>.<minor>b<build>".
var everVersion = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
	n := uint32(int64(v))
	return driver.CBuf(fmt.Sprintf("v%X.%Xb%02d", (n&0xf000)>>12, (n&0xf00)>>8, int32(int64(v))&0xff), 10), true
}}

// everMAC is ever_mac_address_fun: report 210's bytes after its ID, in
// hex, colon-separated.
var everMAC = &Lookup{Fun: func(_ float64, d *Device) (string, bool) {
	buf := d.report(210)
	parts := make([]string, 0, len(buf))
	for _, b := range buf[min(1, len(buf)):] {
		parts = append(parts, fmt.Sprintf("%02x", b))
	}
	return driver.CBuf(strings.Join(parts, ":"), 100), true
}}

// everIP is ever_ip_address_fun: the four rows that use it are the
// notification destination, the card's address, mask and gateway, in
// reports 211, 230, 231 and 232; NUT tells them apart by counting its
// calls (one counter for the process), and so does this, per device.
var everIP = &Lookup{Fun: func(_ float64, d *Device) (string, bool) {
	id := []uint8{211, 230, 231, 232}[d.turn("everIP", 4)]
	buf := d.report(id)
	parts := make([]string, 0, len(buf))
	for _, b := range buf[min(1, len(buf)):] {
		parts = append(parts, strconv.Itoa(int(b)))
	}
	return driver.CBuf(strings.Join(parts, "."), 100), true
}}

// everPackets is ever_packets_fun: a little-endian 32-bit count from
// reports 215 to 218 in turn (sent, received, send and receive errors).
var everPackets = &Lookup{Fun: func(_ float64, d *Device) (string, bool) {
	buf := d.report(215 + uint8(d.turn("everPackets", 4)))
	if len(buf) < 5 {
		return "", true
	}
	return strconv.Itoa(int(int32(uint32(buf[1]) | uint32(buf[2])<<8 | uint32(buf[3])<<16 | uint32(buf[4])<<24))), true
}}

// everMode is the work mode, report 74's first byte.
func everMode(d *Device) int {
	buf := d.report(74)
	if len(buf) < 2 {
		return 0
	}
	return int(buf[1])
}

// everWorkmode is ever_workmode_fun.
var everWorkmode = &Lookup{Fun: func(_ float64, d *Device) (string, bool) {
	switch everMode(d) {
	case 2:
		return "STOP", true
	case 4:
		return "ONLINE", true
	case 8:
		return "ONBATTERY", true
	case 16:
		return "WATCH", true
	case 32:
		return "WAITING", true
	case 64:
		return "EMERGENCY", true
	}
	return "UNKNOWN", true
}}

// everOnOff is ever_on_off_fun: the UPS is off unless on line or on
// battery.
var everOnOff = &Lookup{Fun: func(_ float64, d *Device) (string, bool) {
	if m := everMode(d); m != 0x04 && m != 0x08 {
		return "off", true
	}
	return "!off", true
}}

// everBits names the bits of a report's 16-bit little-endian word.
func everBits(d *Device, id uint8, names []struct {
	mask int
	name string
}) string {
	buf := d.report(id)
	var w int
	if len(buf) >= 3 {
		w = int(buf[1]) | int(buf[2])<<8
	}
	var out []string
	for _, n := range names {
		if w&n.mask != 0 {
			out = append(out, n.name)
		}
	}
	return driver.CBuf(strings.Join(out, " "), 200)
}

// everMessages is ever_messages_fun (report 75); overload and low
// battery, which ups.status has, are left out as NUT leaves them out.
var everMessages = &Lookup{Fun: func(_ float64, d *Device) (string, bool) {
	return everBits(d, 75, []struct {
		mask int
		name string
	}{{0x04, "BOOST"}, {0x08, "BUCK"}, {0x10, "BOOST_BLOCKED"}, {0x20, "BUCK_BLOCKED"}, {0x40, "CHARGING"}, {0x80, "FAN_ON"},
		{0x100, "EPO_BLOCKED"}, {0x200, "NEED_REPLACMENT"}, {0xc00, "OVERHEAT"}, {0x1000, "WAITING_FOR_MIN_CHARGE"}, {0x2000, "MAINS_OUT_OF_RANGE"}}), true
}}

// everAlarms is ever_alarms_fun (report 76), NUT's spellings kept.
var everAlarms = &Lookup{Fun: func(_ float64, d *Device) (string, bool) {
	return everBits(d, 76, []struct {
		mask int
		name string
	}{{0x01, "OVERLOAD"}, {0x02, "SHORT-CIRCUIT"}, {0x0c, "OVERHEAT"}, {0x10, "EPO"}, {0x20, "INERNAL_ERROR"},
		{0x40, "REVERSE_POWER_SUPPLY"}, {0x80, "NO_INETERNAL_COMM"}, {0x100, "CRITICAL_BATT_VOLTAGE"}}), true
}}

// The tables are NUT 2.8.0's (drivers/ever-hid.c): its vendor usages,
// and its rows in NUT's order.
var everUsages = hid.Table{
	{Name: "EVER1", Code: 0x00000000},
	{Name: "EVER2", Code: 0xff000000},
	{Name: "EVER3", Code: 0xff000001},
	{Name: "EVER4", Code: 0xff000002},
	{Name: "EVER5", Code: 0xff000003},
	{Name: "EVER6", Code: 0xff000004},
	{Name: "EVER7", Code: 0xff000005},
	{Name: "EVER8", Code: 0xff000006},
	{Name: "EVER9", Code: 0xff000007},
	{Name: "EVER10", Code: 0xff000008},
	{Name: "EVER11", Code: 0xff000009},
	{Name: "EVER12", Code: 0xff000010},
	{Name: "EVER13", Code: 0xff000011},
	{Name: "EVER14", Code: 0xff000012},
	{Name: "EVER15", Code: 0xff000013},
	{Name: "EVER16", Code: 0xff000014},
	{Name: "EVER17", Code: 0xff000015},
	{Name: "EVER18", Code: 0xff000016},
	{Name: "EVER19", Code: 0xff000017},
	{Name: "EVER20", Code: 0xff000018},
	{Name: "EVER21", Code: 0xff000019},
	{Name: "EVER22", Code: 0xff00001a},
	{Name: "EVER23", Code: 0xff00001b},
	{Name: "EVER24", Code: 0xff00001c},
	{Name: "EVER25", Code: 0xff00001d},
	{Name: "EVER26", Code: 0xff00001e},
	{Name: "EVER27", Code: 0xff00001f},
	{Name: "EVER28", Code: 0xff000020},
	{Name: "EVER29", Code: 0xff000021},
	{Name: "EVER30", Code: 0xff000022},
	{Name: "EVER31", Code: 0xff000023},
	{Name: "EVER32", Code: 0xff000030},
	{Name: "EVER33", Code: 0xff000031},
	{Name: "EVER34", Code: 0xff000032},
	{Name: "EVER35", Code: 0xff000033},
	{Name: "EVER36", Code: 0xff000034},
	{Name: "EVER37", Code: 0xff000035},
	{Name: "EVER38", Code: 0xff000036},
	{Name: "EVER39", Code: 0xff000037},
	{Name: "EVER40", Code: 0xff000038},
	{Name: "EVER41", Code: 0xff000039},
	{Name: "EVER42", Code: 0xff000040},
	{Name: "EVER43", Code: 0xff000041},
	{Name: "EVER44", Code: 0xff000042},
	{Name: "EVER45", Code: 0xff000043},
	{Name: "EVER46", Code: 0xff000044},
	{Name: "EVER47", Code: 0xff000045},
	{Name: "EVER48", Code: 0xff000046},
	{Name: "EVER49", Code: 0xff000050},
	{Name: "EVER50", Code: 0xff000051},
	{Name: "EVER51", Code: 0xff000052},
	{Name: "EVER52", Code: 0xff000053},
	{Name: "EVER53", Code: 0xff000054},
	{Name: "EVER54", Code: 0xff000060},
	{Name: "EVER55", Code: 0xff000061},
	{Name: "EVER56", Code: 0xff000062},
	{Name: "EVER57", Code: 0xff000063},
	{Name: "EVER58", Code: 0xff000064},
	{Name: "EVER59", Code: 0xff000066},
	{Name: "EVER60", Code: 0xff000067},
	{Name: "EVER61", Code: 0xff000068},
	{Name: "EVER62", Code: 0xff000069},
	{Name: "EVER63", Code: 0xff00006a},
	{Name: "EVER64", Code: 0xff00006b},
	{Name: "EVER65", Code: 0xff00006c},
	{Name: "EVER66", Code: 0xff00006d},
	{Name: "EVER67", Code: 0xff00006e},
	{Name: "EVER68", Code: 0xff00006f},
	{Name: "EVER69", Code: 0xff000070},
	{Name: "EVER70", Code: 0xff000071},
	{Name: "EVER71", Code: 0xff000072},
	{Name: "EVER72", Code: 0xff000073},
	{Name: "EVER73", Code: 0xff000074},
	{Name: "EVER74", Code: 0xff000075},
	{Name: "EVER75", Code: 0xff000076},
	{Name: "EVER76", Code: 0xff000077},
	{Name: "EVER77", Code: 0xff000078},
	{Name: "EVER78", Code: 0xff000079},
	{Name: "EVER79", Code: 0xff00007a},
	{Name: "EVER80", Code: 0xff00007b},
	{Name: "EVER81", Code: 0xff00007c},
	{Name: "EVER82", Code: 0xff00007d},
	{Name: "EVER83", Code: 0xff00007e},
	{Name: "EVER84", Code: 0xff00007f},
	{Name: "EVER85", Code: 0xff000080},
	{Name: "EVER86", Code: 0xff000081},
	{Name: "EVER87", Code: 0xff000082},
	{Name: "EVER88", Code: 0xff000083},
	{Name: "EVER89", Code: 0xff000084},
	{Name: "EVER90", Code: 0xff000085},
	{Name: "EVER91", Code: 0xff000086},
	{Name: "EVER92", Code: 0xff000087},
	{Name: "EVER93", Code: 0xff000088},
	{Name: "EVER94", Code: 0xff000089},
	{Name: "EVER95", Code: 0xff00008a},
	{Name: "EVER96", Code: 0xff00008b},
	{Name: "EVER97", Code: 0xff000090},
	{Name: "EVER98", Code: 0xff000091},
	{Name: "EVER99", Code: 0xff000092},
	{Name: "EVER100", Code: 0xff000093},
	{Name: "EVER101", Code: 0xff000094},
	{Name: "EVER102", Code: 0xff000095},
	{Name: "EVER103", Code: 0xff000096},
	{Name: "EVER104", Code: 0xff000097},
}

var everRows = []Row{
	{Var: "experimental.battery.batteryid", Path: "UPS.BatterySystem.Battery.BatteryID", Format: "%.0f"},
	{Var: "experimental.battery.systemid", Path: "UPS.BatterySystem.BatterySystemID", Format: "%.0f"},
	{Var: "experimental.battery.chargerid", Path: "UPS.BatterySystem.Charger.ChargerID", Format: "%.0f"},
	{Var: "experimental.battery.input_flowid", Path: "UPS.BatterySystem.Input.FlowID", Format: "%.0f"},
	{Var: "experimental.battery.input_id", Path: "UPS.BatterySystem.Input.InputID", Format: "%.0f"},
	{Var: "experimental.battery.output_flowid", Path: "UPS.BatterySystem.Output.FlowID", Format: "%.0f"},
	{Var: "experimental.battery.output_id", Path: "UPS.BatterySystem.Output.OutputID", Format: "%.0f"},
	{Var: "experimental.id.firmware_version_inverter", Path: "UPS.EVER1.EVER13", Format: "%s", Lookup: everVersion},
	{Var: "experimental.id.firmware_version_interfaces", Path: "UPS.EVER1.EVER14", Format: "%s", Lookup: everVersion},
	{Var: "experimental.id.hardware_version", Path: "UPS.EVER1.EVER15", Format: "%s", Lookup: everHardware},
	{Var: "experimental.id.protocol_version_inverter", Path: "UPS.EVER1.EVER16", Format: "%s", Lookup: everVersion},
	{Var: "experimental.id.protocol_version_interfaces", Path: "UPS.EVER1.EVER17", Format: "%s", Lookup: everVersion},
	{Var: "ups.temperature", Path: "UPS.EVER1.EVER42", Format: "%s", Lookup: kelvinCelsius},
	{Var: "battery.temperature", Path: "UPS.EVER1.EVER43", Format: "%s", Lookup: kelvinCelsius},
	{Var: "powerfactor", Path: "UPS.EVER1.EVER44", Format: "%.0f"},
	{Var: "experimental.control.ups_on", RW: true, Path: "UPS.EVER1.EVER45.EVER46", Format: "%.0f"},
	{Var: "experimental.control.clear_fault", RW: true, Path: "UPS.EVER1.EVER45.EVER47", Format: "%.0f"},
	{Var: "experimental.control.clear_battery_fault", RW: true, Path: "UPS.EVER1.EVER45.EVER48", Format: "%.0f"},
	{Var: "experimental.control.epo_blocked", RW: true, Path: "UPS.EVER1.EVER49.EVER50", Format: "%.0f"},
	{Var: "experimental.control.green_mode", RW: true, Path: "UPS.EVER1.EVER49.EVER51", Format: "%.0f"},
	{Var: "experimental.control.button_sound", RW: true, Path: "UPS.EVER1.EVER49.EVER52", Format: "%.0f"},
	{Var: "experimental.control.audible_alarm", RW: true, Path: "UPS.EVER1.EVER49.EVER53", Format: "%.0f"},
	{Var: "output.voltage", RW: true, Len: 3, Path: "UPS.EVER1.EVER54", Format: "%.0f"},
	{Var: "experimental.config.overload_clearance_threshold", RW: true, Len: 2, Path: "UPS.EVER1.EVER59", Format: "%.0f"},
	{Var: "experimental.config.stb_charge", RW: true, Len: 2, Path: "UPS.EVER1.EVER60", Format: "%.0f"},
	{Var: "battery.packs.external", RW: true, Len: 1, Path: "UPS.EVER1.EVER61", Format: "%.0f"},
	{Var: "experimental.statistics.mains_loss_counter", Path: "UPS.EVER1.EVER62", Format: "%.0f"},
	{Var: "experimental.statistics.lowering_AVR_trigger_counter", Path: "UPS.EVER1.EVER63", Format: "%.0f"},
	{Var: "experimental.statistics.rising_AVR_trigger_counter", Path: "UPS.EVER1.EVER64", Format: "%.0f"},
	{Var: "experimental.statistics.overload_counter", Path: "UPS.EVER1.EVER65", Format: "%.0f"},
	{Var: "experimental.statistics.short_circuit_counter", Path: "UPS.EVER1.EVER66", Format: "%.0f"},
	{Var: "experimental.statistics.discharge_counter", Path: "UPS.EVER1.EVER67", Format: "%.0f"},
	{Var: "experimental.statistics.overheat_counter", Path: "UPS.EVER1.EVER68", Format: "%.0f"},
	{Var: "experimental.statistics.mains_operation_time", Path: "UPS.EVER1.EVER69", Format: "%.0f"},
	{Var: "experimental.statistics.autonomous_operation_time", Path: "UPS.EVER1.EVER70", Format: "%.0f"},
	{Var: "experimental.statistics.overload_operation_time", Path: "UPS.EVER1.EVER71", Format: "%.0f"},
	{Var: "experimental.networkcard.mac_address", Path: "UPS.EVER1.EVER72", Format: "%s", Lookup: everMAC},
	{Var: "experimental.networkcard.notification_destination_ip", Path: "UPS.EVER1.EVER73", Format: "%s", Lookup: everIP},
	{Var: "experimental.networkcard.send_packets", Path: "UPS.EVER1.EVER77", Format: "%s", Lookup: everPackets},
	{Var: "experimental.networkcard.received_packets", Path: "UPS.EVER1.EVER78", Format: "%s", Lookup: everPackets},
	{Var: "experimental.networkcard.send_packets_err", Path: "UPS.EVER1.EVER79", Format: "%s", Lookup: everPackets},
	{Var: "experimental.networkcard.received_packets_err", Path: "UPS.EVER1.EVER80", Format: "%s", Lookup: everPackets},
	{Var: "experimental.networkcard.config_dhcp_enabled", Path: "UPS.EVER1.EVER85.EVER86", Format: "%.0f"},
	{Var: "experimental.networkcard.config_ethernet_enabled", Path: "UPS.EVER1.EVER85.EVER87", Format: "%.0f"},
	{Var: "experimental.networkcard.config_http_enabled", Path: "UPS.EVER1.EVER85.EVER88", Format: "%.0f"},
	{Var: "experimental.networkcard.config_snmp_enabled", Path: "UPS.EVER1.EVER85.EVER89", Format: "%.0f"},
	{Var: "experimental.networkcard.config_snmp_trap_enabled", Path: "UPS.EVER1.EVER85.EVER90", Format: "%.0f"},
	{Var: "experimental.networkcard.config_readonly", Path: "UPS.EVER1.EVER85.EVER91", Format: "%.0f"},
	{Var: "experimental.networkcard.config_restart_eth", Path: "UPS.EVER1.EVER85.EVER96", Format: "%.0f"},
	{Var: "experimental.networkcard.ip_address", Path: "UPS.EVER1.EVER93", Format: "%s", Lookup: everIP},
	{Var: "experimental.networkcard.network_mask", Path: "UPS.EVER1.EVER94", Format: "%s", Lookup: everIP},
	{Var: "experimental.networkcard.default_gateway", Path: "UPS.EVER1.EVER95", Format: "%s", Lookup: everIP},
	{Var: "ups.realpower.nominal", Path: "UPS.Flow.ConfigActivePower", Format: "%.0f"},
	{Var: "ups.power.nominal", Path: "UPS.Flow.ConfigApparentPower", Format: "%.0f"},
	{Var: "output.frequency.nominal", Path: "UPS.Flow.ConfigFrequency", Format: "%.0f"},
	{Var: "output.voltage.nominal", Path: "UPS.Flow.ConfigVoltage", Format: "%.0f"},
	{Var: "experimental.ups.flow_id", Path: "UPS.Flow.FlowID", Format: "%.0f"},
	{Var: "outlet.1.id", Path: "UPS.OutletSystem.Outlet.OutletID", Format: "%.0f"},
	{Var: "experimental.outlet.1.present", Path: "UPS.OutletSystem.Outlet.PresentStatus.Present", Format: "%.0f", Lookup: yesNoInfo},
	{Var: "outlet.1.switchable", Path: "UPS.OutletSystem.Outlet.PresentStatus.Switchable", Format: "%.0f", Lookup: yesNoInfo},
	{Var: "outlet.1.status", Path: "UPS.OutletSystem.Outlet.PresentStatus.SwitchOn/Off", Format: "%.0f"},
	{Var: "experimental.outlet.1.undefined", Path: "UPS.OutletSystem.Outlet.PresentStatus.Undefined", Format: "%.0f"},
	{Var: "experimental.outlet.1.system_id", Path: "UPS.OutletSystem.OutletSystemID", Format: "%.0f"},
	{Var: "experimental.outlet.1.switch_off_control", RW: true, Path: "UPS.OutletSystem.Outlet.SwitchOffControl", Format: "%.0f"},
	{Var: "experimental.outlet.1.switch_on_control", RW: true, Path: "UPS.OutletSystem.Outlet.SwitchOnControl", Format: "%.0f"},
	{Var: "experimental.powerconverter.input_flow_id", Path: "UPS.PowerConverter.Input.FlowID", Format: "%.0f"},
	{Var: "input.frequency", Path: "UPS.PowerConverter.Input.Frequency", Format: "%.0f"},
	{Var: "experimental.powerconverter.input_id", Path: "UPS.PowerConverter.Input.InputID", Format: "%.0f"},
	{Var: "input.voltage", Path: "UPS.PowerConverter.Input.Voltage", Format: "%.0f"},
	{Var: "ups.realpower", Path: "UPS.PowerConverter.Output.ActivePower", Format: "%.0f"},
	{Var: "ups.power", Path: "UPS.PowerConverter.Output.ApparentPower", Format: "%.0f"},
	{Var: "output.current", Path: "UPS.PowerConverter.Output.Current", Format: "%.0f"},
	{Var: "experimental.powerconverter.output_flowid", Path: "UPS.PowerConverter.Output.FlowID", Format: "%.0f"},
	{Var: "output.frequency", Path: "UPS.PowerConverter.Output.Frequency", Format: "%.0f"},
	{Var: "experimental.powerconverter.output_id", Path: "UPS.PowerConverter.Output.OutputID", Format: "%.0f"},
	{Var: "ups.load", Path: "UPS.PowerConverter.Output.PercentLoad", Format: "%.0f"},
	{Var: "output.voltage", Path: "UPS.PowerConverter.Output.Voltage", Format: "%.0f"},
	{Var: "experimental.powerconverter.powerconverterid", Path: "UPS.PowerConverter.PowerConverterID", Format: "%.0f"},
	{Var: "experimental.powersummary.capacity_granularity_1", Path: "UPS.PowerSummary.CapacityGranularity1", Format: "%.0f"},
	{Var: "experimental.powersummary.capacity_granularity_2", Path: "UPS.PowerSummary.CapacityGranularity2", Format: "%.0f"},
	{Var: "experimental.powersummary.capacity_mode", Path: "UPS.PowerSummary.CapacityMode", Format: "%.0f"},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "battery.capacity", Path: "UPS.PowerSummary.DesignCapacity", Format: "%.0f"},
	{Var: "experimental.powersummary.flow_id", Path: "UPS.PowerSummary.FlowID", Format: "%.0f"},
	{Var: "battery.capacity", Path: "UPS.PowerSummary.FullChargeCapacity", Format: "%.0f"},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%.0f"},
	{Var: "ups.load", Path: "UPS.PowerSummary.PercentLoad", Format: "%.0f"},
	{Var: "experimental.powersummary.rechargeable", Path: "UPS.PowerSummary.Rechargeable", Format: "%.0f"},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.runtime.low", RW: true, Path: "UPS.PowerSummary.RemainingTimeLimit", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%.0f"},
	{Var: "ups.timer.shutdown", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.AwaitingPower", Flags: QuickPoll, Lookup: awaitingpowerInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BatteryPresent", Lookup: nobatteryInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.CommunicationLost", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: dischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Flags: QuickPoll, Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.OverTemperature", Lookup: overheatInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER18.EVER19", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER18.EVER20", Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER18.EVER21", Lookup: boostInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER18.EVER22", Lookup: trimInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER18.EVER25", Lookup: chargingInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER18.EVER28", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER32.EVER33", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER32.EVER40", Format: "%.0f", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.EVER1.EVER97.EVER102", Format: "%s", Lookup: everOnOff},
	{Var: "experimental.status.workmode", Path: "UPS.EVER1.EVER97.EVER98", Format: "%s", Lookup: everWorkmode},
	{Var: "experimental.status.messages", Path: "UPS.EVER1.EVER18.EVER28", Lookup: everMessages},
	{Var: "experimental.status.alarms", Path: "UPS.EVER1.EVER32.EVER33", Lookup: everAlarms},
	{Var: "load.off.delay", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "shutdown.return", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
}
