package usbhid

import (
	"strconv"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// OpenUPS is NUT 2.8.0's openups-hid.c: the Mini-Box openUPS (vendor
// 04d8), with its per-product scales and thermistor table.
var OpenUPS = &Subdriver{
	Name:    "openUPS HID 0.5",
	Devices: openupsDevices,
	Usages:  openupsUsages,
	Rows:    openupsRows,
	Mfr:     mfrOr("openUPS"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/openups-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var openupsDevices = []USBID{
	{Vendor: 0x04d8, Product: 0xd004, Quirk: "get_voltage_multiplier"},
	{Vendor: 0x04d8, Product: 0xd005, Quirk: "get_voltage_multiplier"},
}

var openupsUsages = hid.Table{
	{Name: "Cell1", Code: 0x00000001},
	{Name: "Cell2", Code: 0x00000002},
	{Name: "Cell3", Code: 0x00000003},
	{Name: "Cell4", Code: 0x00000004},
	{Name: "Cell5", Code: 0x00000005},
	{Name: "Cell6", Code: 0x00000006},
}

var openupsRows = []Row{
	{Var: "ups.serial", Path: "UPS.PowerSummary.iSerialNumber", Format: "%s", Lookup: stringID},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "battery.mfr.date", Path: "UPS.PowerSummary.iOEMInformation", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%.2f", Flags: QuickPoll},
	{Var: "battery.current", Path: "UPS.PowerSummary.Current", Format: "%.3f", Flags: QuickPoll},
	{Var: "battery.capacity", Path: "UPS.PowerSummary.DesignCapacity", Format: "%.0f", Flags: Static},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.charge.low", Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.charge.warning", Path: "UPS.PowerSummary.WarningCapacityLimit", Format: "%.0f"},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.temperature", Path: "UPS.PowerSummary.Temperature", Flags: QuickPoll, Lookup: openupsTemperatureInfo},
	{Var: "output.voltage", Path: "UPS.PowerSummary.Output.Voltage", Flags: QuickPoll, Lookup: openupsVoutInfo},
	{Var: "output.current", Path: "UPS.PowerSummary.Output.Current", Flags: QuickPoll, Lookup: openupsCdischargeInfo},
	{Var: "input.voltage", Path: "UPS.PowerSummary.Input.Voltage", Flags: QuickPoll, Lookup: openupsVinInfo},
	{Var: "input.current", Path: "UPS.PowerSummary.Input.Current", Flags: QuickPoll, Lookup: openupsCchargeInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Good", Flags: QuickPoll, Lookup: openupsOffInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.InternalFailure", Flags: QuickPoll, Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Flags: QuickPoll, Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.OverTemperature", Flags: QuickPoll, Lookup: overheatInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Flags: QuickPoll, Lookup: shutdownimmInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.RemainingTimeLimitExpired", Flags: QuickPoll, Lookup: timelimitInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: openupsChargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: openupsDischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: openupsOnlineInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BatteryPresent", Flags: QuickPoll, Lookup: openupsNobatteryInfo},
}

// openupsScale is the input voltage, output voltage, charge current and
// discharge current multipliers NUT sets per product (d004: its ADC's;
// d005: tenths; others 1).
type openupsScale struct{ vin, vout, ccharge, cdischarge float64 }

func openupsScales(d *Device) openupsScale {
	switch {
	case d.ProductID == 0xd004:
		return openupsScale{0.03545 * 100, 0.02571 * 100, 0.8274 / 10, 16.113 / 10}
	case d.ProductID == 0xd005:
		return openupsScale{0.1, 0.1, 0.1, 0.1}
	}
	return openupsScale{1, 1, 1, 1}
}

var (
	openupsChargingInfo    = truthy("chrg")
	openupsDischargingInfo = truthy("dischrg")
	openupsOnlineInfo      = truthy("online")
	openupsNobatteryInfo   = truthy("nobattery")
	openupsOffInfo         = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		if v != 0 {
			return "!off", true
		}
		return "off", true
	}}
	// printed into NUT's 20-byte buffer
	openupsVinInfo        = scaled("%.2f", 20, func(d *Device) float64 { return openupsScales(d).vin })
	openupsVoutInfo       = scaled("%.2f", 20, func(d *Device) float64 { return openupsScales(d).vout })
	openupsCchargeInfo    = scaled("%.3f", 20, func(d *Device) float64 { return openupsScales(d).ccharge })
	openupsCdischargeInfo = scaled("%.3f", 20, func(d *Device) float64 { return openupsScales(d).cdischarge })
)

// openupsThermistor is the thermistor's reading at -40, -35, ... 125 °C
// (from the vendor's monitoring application, as NUT has it).
var openupsThermistor = []uint32{
	0x31, 0x40, 0x53, 0x68, 0x82, 0xA0, 0xC3, 0xE9, 0x113, 0x13F, 0x16E, 0x19F,
	0x1CF, 0x200, 0x22F, 0x25C, 0x286, 0x2AE, 0x2D3, 0x2F4, 0x312, 0x32D, 0x345,
	0x35A, 0x36D, 0x37E, 0x38C, 0x399, 0x3A5, 0x3AF, 0x3B7, 0x3BF, 0x3C6, 0x3CC,
}

// openupsTemperatureInfo interpolates the thermistor table.
var openupsTemperatureInfo = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
	tbl := openupsThermistor
	th := uint32(int64(v * 100))
	switch {
	case th <= tbl[0]:
		return "-40", true
	case th >= tbl[len(tbl)-1]:
		return "125", true
	}
	pos := 0
	for i := len(tbl) - 1; i >= 0; i-- {
		if th >= tbl[i] {
			pos = i
			break
		}
	}
	if th == tbl[pos] {
		return strconv.Itoa(pos*5 - 40), true
	}
	t1, t2 := pos*5-40, (pos+1)*5-40
	temp := float64(th-tbl[pos])*float64(t2-t1)/float64(tbl[pos+1]-tbl[pos]) + float64(t1)
	return driver.CBuf(cformat("%.2f", temp), 20), true
}}
