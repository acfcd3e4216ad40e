package usbhid

// Arduino is NUT 2.8.0's arduino-hid.c: Arduino boards running a HID
// Power Device sketch.
var Arduino = &Subdriver{
	Name:    "Arduino HID 0.2",
	Devices: arduinoDevices,
	Rows:    arduinoRows,
	Mfr:     mfrOr("Arduino"),
	Model:   usbProduct,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/arduino-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var arduinoDevices = []USBID{
	{Vendor: 0x2341, Product: 0x0036},
	{Vendor: 0x2341, Product: 0x8036},
	{Vendor: 0x2a03, Product: 0x0036},
	{Vendor: 0x2a03, Product: 0x8036},
	{Vendor: 0x2a03, Product: 0x0040},
	{Vendor: 0x2a03, Product: 0x8040},
}

var arduinoRows = []Row{
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.PowerSummary.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.PowerSummary.DelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.PowerSummary.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "load.off.delay", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.PowerSummary.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.PowerSummary.DelayBeforeReboot", Format: "10", Flags: Cmd},
}
