package snmp

// XPPC is NUT 2.8.0's xppc-mib.c ("xppc" mapping), version 0.4: the
// table and lookups are its data, in its order.
var XPPC = &Mapping{Name: "xppc", Version: "0.4", PowerStatusOID: "", AutoCheckOID: "", SysOID: ".1.3.6.1.4.1.935", Table: xppcTable}

var xpccOnbattInfo = &Lookup{Values: []LookupValue{{1, ""}, {2, ""}, {3, "LB"}}}
var xpccPowerInfo = &Lookup{Values: []LookupValue{{1, ""}, {2, "OL"}, {3, "OB"}, {4, "OL BOOST"}, {5, "OFF"}, {6, "BYPASS"}, {7, ""}, {8, "OFF"}, {9, "OL TRIM"}}}

var xppcTable = []Info{
	{Var: "device.description", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.1.0", Flags: OK},
	{Var: "device.contact", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.4.0", Flags: OK},
	{Var: "device.location", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.6.0", Flags: OK},
	{Var: "ups.mfr", String: true, Len: infoSize, Default: "Tripp Lite / Phoenixtec", Flags: Static | Absent | OK},
	{Var: "ups.model", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.935.1.1.1.1.1.1.0", Default: "Generic Phoenixtec SNMP device", Flags: OK},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.935.1.1.1.2.1.1.0", Default: "", Flags: StatusBatt | TypeInt | OK, Lookup: xpccOnbattInfo},
	{Var: "battery.charge", Len: 1, OID: ".1.3.6.1.4.1.935.1.1.1.2.2.1.0", Flags: TypeInt | OK},
	{Var: "ups.temperature", Len: 0.1, OID: ".1.3.6.1.4.1.935.1.1.1.2.2.3.0", Flags: TypeInt | OK},
	{Var: "input.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.935.1.1.1.3.2.1.0", Flags: TypeInt | OK},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.935.1.1.1.4.1.1.0", Default: "", Flags: TypeInt | StatusPwr, Lookup: xpccPowerInfo},
	{Var: "output.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.935.1.1.1.4.2.1.0", Flags: TypeInt | OK},
	{Var: "output.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.935.1.1.1.4.2.2.0", Flags: TypeInt | OK},
	{Var: "ups.load", Len: 1, OID: ".1.3.6.1.4.1.935.1.1.1.4.2.3.0", Flags: TypeInt | OK},
}
