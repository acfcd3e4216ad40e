package snmp

// DeltaUPS is NUT 2.8.0's delta_ups-mib.c ("delta_ups" mapping), version 0.5: the
// table and lookups are its data, in its order.
var DeltaUPS = &Mapping{Name: "delta_ups", Version: "0.5", PowerStatusOID: "", AutoCheckOID: "", SysOID: ".1.3.6.1.4.1.2254.2.4", Table: deltaUPSTable}

var deltaUpsUpstypeInfo = &Lookup{Values: []LookupValue{{1, "on-line"}, {2, "off-line"}, {3, "line-interactive"}, {4, "3phase"}, {5, "splite-phase"}}}
var deltaUpsPwrInfo = &Lookup{Values: []LookupValue{{0, "OL"}, {1, "OB"}, {2, "BYPASS"}, {3, "TRIM"}, {4, "BOOST"}, {5, "BYPASS"}, {7, "OFF"}}}

var deltaUPSTable = []Info{
	{Var: "device.description", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.1.0", Flags: OK},
	{Var: "device.contact", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.4.0", Flags: OK},
	{Var: "device.location", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.6.0", Flags: OK},
	{Var: "ups.mfr", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2254.2.4.1.1.0", Flags: OK},
	{Var: "ups.model", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2254.2.4.1.2.0", Flags: OK},
	{Var: "ups.firmware", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2254.2.4.1.4.0", Flags: OK},
	{Var: "ups.firmware.aux", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2254.2.4.1.3.0", Flags: OK},
	{Var: "ups.type", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.1.19.0", Flags: OK, Lookup: deltaUpsUpstypeInfo},
	{Var: "ups.load", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.5.7.0", Flags: OK},
	{Var: "ups.power", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.1.7.0", Flags: OK},
	{Var: "output.voltage.nominal", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.1.8.0", Flags: OK},
	{Var: "output.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2254.2.4.5.4.0", Flags: OK},
	{Var: "output.frequency.nominal", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.1.9.0", Flags: OK},
	{Var: "output.current", Len: 0.1, OID: ".1.3.6.1.4.1.2254.2.4.5.5.0", Flags: OK},
	{Var: "input.voltage.nominal", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.1.10.0", Flags: OK},
	{Var: "input.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2254.2.4.4.3.0", Flags: OK},
	{Var: "input.frequency.nominal", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.1.11.0", Flags: OK},
	{Var: "input.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.2254.2.4.4.2.0", Flags: OK},
	{Var: "ups.status", Len: 1, OID: ".1.3.6.1.4.1.2254.2.4.5.1.0", Flags: OK, Lookup: deltaUpsPwrInfo},
}
