package snmp

// Netvision is NUT 2.8.0's netvision-mib.c ("netvision" mapping), version 0.44: the
// table and lookups are its data, in its order.
var Netvision = &Mapping{Name: "netvision", Version: "0.44", PowerStatusOID: "", AutoCheckOID: ".1.3.6.1.4.1.4555.1.1.1.1.1.1.0", SysOID: ".1.3.6.1.4.1.4555.1.1.1", Table: netvisionTable}

var netvisionBattInfo = &Lookup{Values: []LookupValue{{2, ""}, {3, "LB"}, {4, "LB"}, {5, "DISCHRG"}, {6, "RB"}}}
var netvisionOnbattInfo = &Lookup{Values: []LookupValue{{0, "OL"}, {1, "OB"}}}
var netvisionOutputInfo = &Lookup{Values: []LookupValue{{1, ""}, {2, ""}, {3, "OL"}, {4, "OL BYPASS"}, {5, "OB"}, {6, "OL BOOST"}, {7, "OL TRIM"}, {8, "OL"}, {9, ""}}}

var netvisionTable = []Info{
	{Var: "device.description", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.1.0", Flags: OK},
	{Var: "device.contact", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.4.0", Flags: OK},
	{Var: "device.location", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.6.0", Flags: OK},
	{Var: "ups.mfr", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.4555.1.1.1.1.1.3.0", Default: "SOCOMEC SICON UPS", Flags: Static | OK},
	{Var: "ups.model", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.4555.1.1.1.1.1.1.0", Default: "Generic SNMP UPS", Flags: Static | OK},
	{Var: "ups.serial", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.4555.1.1.1.1.1.4.0", Default: "", Flags: Static | OK},
	{Var: "ups.firmware.aux", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.4555.1.1.1.1.1.2.0", Default: "", Flags: Static | OK},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.4555.1.1.1.1.2.1.0", Default: "", Flags: OK | StatusBatt, Lookup: netvisionBattInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.1.0", Default: "", Flags: OK | StatusPwr, Lookup: netvisionOutputInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.4555.1.1.1.1.6.3.2.0", Default: "", Flags: OK | StatusPwr, Lookup: netvisionOnbattInfo},
	{Var: "ups.load", Len: 1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.4.1", Default: "0", Flags: Input1},
	{Var: "input.phases", Len: 1.0, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.1.0"},
	{Var: "input.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.2.0", Flags: OK},
	{Var: "input.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.5.1", Flags: Input1},
	{Var: "input.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.3.1", Flags: Input1},
	{Var: "input.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.5.1", Flags: Input3},
	{Var: "input.L1.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.3.1", Flags: Input3},
	{Var: "input.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.5.2", Flags: Input3},
	{Var: "input.L2.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.3.2", Flags: Input3},
	{Var: "input.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.5.3", Flags: Input3},
	{Var: "input.L3.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.3.3.1.3.3", Flags: Input3},
	{Var: "output.phases", Len: 1.0, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.3.0"},
	{Var: "output.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.2.0", Flags: OK},
	{Var: "output.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.2.1", Flags: Output1},
	{Var: "output.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.3.1", Flags: Output1},
	{Var: "output.load", Len: 1.0, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.4.1", Flags: Output1},
	{Var: "output.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.2.1", Flags: Output3},
	{Var: "output.L1.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.3.1", Flags: Output3},
	{Var: "output.L1.power.percent", Len: 1.0, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.4.1", Flags: Output3},
	{Var: "output.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.2.2", Flags: Output3},
	{Var: "output.L2.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.3.2", Flags: Output3},
	{Var: "output.L2.power.percent", Len: 1.0, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.4.2", Flags: Output3},
	{Var: "output.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.2.3", Flags: Output3},
	{Var: "output.L3.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.3.3", Flags: Output3},
	{Var: "output.L3.power.percent", Len: 1.0, OID: ".1.3.6.1.4.1.4555.1.1.1.1.4.4.1.4.3", Flags: Output3},
	{Var: "input.bypass.phases", Len: 1.0, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.2.0"},
	{Var: "input.bypass.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.1.0", Flags: OK},
	{Var: "input.bypass.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.2.1", Flags: Bypass1},
	{Var: "input.bypass.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.3.1", Flags: Bypass1},
	{Var: "input.bypass.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.2.1", Flags: Bypass3},
	{Var: "input.bypass.L1.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.3.1", Flags: Bypass3},
	{Var: "input.bypass.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.2.2", Flags: Bypass3},
	{Var: "input.bypass.L2.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.3.2", Flags: Bypass3},
	{Var: "input.bypass.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.2.3", Flags: Bypass3},
	{Var: "input.bypass.L3.current", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.5.3.1.3.3", Flags: Bypass3},
	{Var: "battery.charge", Len: 1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.2.4.0", Default: "", Flags: OK},
	{Var: "battery.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.4555.1.1.1.1.2.5.0", Default: "", Flags: OK},
	{Var: "battery.runtime", Len: 60, OID: ".1.3.6.1.4.1.4555.1.1.1.1.2.3.0", Default: "", Flags: OK},
}
