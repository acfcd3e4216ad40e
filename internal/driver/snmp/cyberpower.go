package snmp

// CyberPower is NUT 2.8.0's cyberpower-mib.c ("cyberpower" mapping), version 0.51: the
// table and lookups are its data, in its order.
var CyberPower = &Mapping{Name: "cyberpower", Version: "0.51", PowerStatusOID: "", AutoCheckOID: ".1.3.6.1.4.1.3808.1.1.1.1.1.1.0", SysOID: ".1.3.6.1.4.1.3808.1.1.1", Table: cyberpowerTable}

var cyberpowerPowerStatus = &Lookup{Values: []LookupValue{{1, "NULL"}, {2, "OL"}, {3, "OB"}, {4, "OL BOOST"}, {5, "OFF"}, {6, "OFF"}, {7, "OL"}, {8, "OL"}, {9, "OL BYPASS"}, {10, "OL TRIM"}, {11, "OL OVER"}}}
var cyberpowerBatteryStatus = &Lookup{Values: []LookupValue{{1, ""}, {2, ""}, {3, "LB"}}}
var cyberpowerCalStatus = &Lookup{Values: []LookupValue{{1, ""}, {2, ""}, {3, "CAL"}}}
var cyberpowerBattreplStatus = &Lookup{Values: []LookupValue{{1, ""}, {2, "RB"}}}

var cyberpowerTable = []Info{
	{Var: "device.description", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.1.0", Flags: OK},
	{Var: "device.contact", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.4.0", Flags: OK},
	{Var: "device.location", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.6.0", Flags: OK},
	{Var: "device.type", String: true, Len: infoSize, Default: "ups", Flags: Static | Absent | OK},
	{Var: "ups.mfr", String: true, Len: infoSize, Default: "CYBERPOWER", Flags: Static | Absent | OK},
	{Var: "ups.model", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.1.1.1.0", Default: "CyberPower", Flags: Static},
	{Var: "ups.serial", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.1.2.3.0", Default: "", Flags: Static},
	{Var: "ups.firmware", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.1.2.1.0", Default: "", Flags: Static},
	{Var: "ups.mfr.date", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.1.2.2.0", Default: ""},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.4.1.1.0", Default: "", Flags: OK | StatusPwr, Lookup: cyberpowerPowerStatus},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.2.1.1.0", Default: "", Flags: OK | StatusBatt, Lookup: cyberpowerBatteryStatus},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.7.2.7.0", Default: "", Flags: OK | StatusCal, Lookup: cyberpowerCalStatus},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.3808.1.1.1.2.2.5.0", Default: "", Flags: OK | StatusRB, Lookup: cyberpowerBattreplStatus},
	{Var: "ups.load", Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.4.2.3.0", Default: ""},
	{Var: "battery.runtime", Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.2.2.4.0", Default: ""},
	{Var: "battery.runtime.elapsed", Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.2.1.2.0", Default: ""},
	{Var: "battery.voltage", Len: 0.1, OID: ".1.3.6.1.2.1.33.1.2.5.0", Default: ""},
	{Var: "battery.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.2.2.2.0", Default: ""},
	{Var: "battery.voltage.nominal", Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.2.2.8.0", Default: ""},
	{Var: "battery.current", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.4.2.4.0", Default: ""},
	{Var: "battery.current", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.2.2.7.0", Default: ""},
	{Var: "battery.charge", Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.2.2.1.0", Default: ""},
	{Var: "battery.temperature", Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.2.2.3.0", Default: ""},
	{Var: "input.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.3.2.1.0", Default: ""},
	{Var: "input.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.3.2.4.0", Default: ""},
	{Var: "output.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.4.2.1.0", Default: ""},
	{Var: "output.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.4.2.2.0", Default: ""},
	{Var: "output.current", Len: 0.1, OID: ".1.3.6.1.4.1.3808.1.1.1.4.2.4.0", Default: ""},
	{Var: "ups.delay.start", RW: true, Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.5.2.9.0", Default: "0", Flags: OK | TypeTime},
	{Var: "ups.delay.reboot", Len: 1.0, Default: "0", Flags: OK | Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 1.0, OID: ".1.3.6.1.4.1.3808.1.1.1.5.2.11.0", Default: "60", Flags: OK | TypeTime},
	{Var: "load.off", Len: 2, OID: ".1.3.6.1.4.1.3808.1.1.1.6.2.1.0", Flags: Cmd | OK},
	{Var: "load.on", Len: 2, OID: ".1.3.6.1.4.1.3808.1.1.1.6.2.6.0", Flags: Cmd | OK},
	{Var: "shutdown.stayoff", Len: 3, OID: ".1.3.6.1.4.1.3808.1.1.1.6.2.6.0", Flags: Cmd | OK},
	{Var: "shutdown.return", Len: 3, OID: ".1.3.6.1.4.1.3808.1.1.1.6.2.3.0", Flags: Cmd | OK},
	{Var: "test.failure.start", Len: 2, OID: ".1.3.6.1.4.1.3808.1.1.1.6.2.4.0", Flags: Cmd | OK},
	{Var: "test.panel.start", Len: 2, OID: ".1.3.6.1.4.1.3808.1.1.1.7.2.5.0", Flags: Cmd | OK},
	{Var: "test.battery.start", Len: 2, OID: ".1.3.6.1.4.1.3808.1.1.1.7.2.2.0", Flags: Cmd | OK},
	{Var: "calibrate.start", Len: 2, OID: ".1.3.6.1.4.1.3808.1.1.1.7.2.6.0", Flags: Cmd | OK},
	{Var: "calibrate.stop", Len: 3, OID: ".1.3.6.1.4.1.3808.1.1.1.7.2.6.0", Flags: Cmd | OK},
}
