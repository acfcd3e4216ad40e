package snmp

// Bestpower is NUT 2.8.0's bestpower-mib.c ("bestpower" mapping), version 0.4: the
// table and lookups are its data, in its order.
var Bestpower = &Mapping{Name: "bestpower", Version: "0.4", PowerStatusOID: "", AutoCheckOID: ".1.3.6.1.4.1.2947.1.1.2.0", SysOID: ".1.3.6.1.4.1.2947.1.1.2.0", Table: bestpowerTable}

var bestpowerPowerStatus = &Lookup{Values: []LookupValue{{1, "OL"}, {2, "OB"}}}

var bestpowerTable = []Info{
	{Var: "device.description", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.1.0", Flags: OK},
	{Var: "device.contact", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.4.0", Flags: OK},
	{Var: "device.location", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.6.0", Flags: OK},
	{Var: "device.type", String: true, Len: infoSize, Default: "ups", Flags: Static | Absent | OK},
	{Var: "ups.mfr", String: true, Len: infoSize, Default: "EATON", Flags: Static | Absent | OK},
	{Var: "ups.model", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2947.1.1.2.0", Default: "Best Ferrups", Flags: Static},
	{Var: "ups.serial", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2947.1.1.5.0", Default: "", Flags: Static},
	{Var: "ups.firmware", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2947.1.1.7.0", Default: "", Flags: Static},
	{Var: "ups.power", Len: 1, OID: ".1.3.6.1.4.1.2947.1.1.3.0", Default: ""},
	{Var: "ups.mfr.date", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2947.1.1.8.0", Default: ""},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2947.1.2.1.0", Default: "", Lookup: bestpowerPowerStatus},
	{Var: "battery.runtime", Len: 60.0, OID: ".1.3.6.1.4.1.2947.1.2.3.0", Default: ""},
	{Var: "battery.runtime.elapsed", Len: 1.0, OID: ".1.3.6.1.4.1.2947.1.2.2.0", Default: ""},
	{Var: "battery.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2947.1.2.4.0", Default: ""},
	{Var: "battery.current", Len: 0.1, OID: ".1.3.6.1.4.1.2947.1.2.5.0", Default: ""},
}
