package snmp

// Huawei is NUT 2.8.0's huawei-mib.c ("huawei" mapping), version 0.4: the
// table and lookups are its data, in its order.
var Huawei = &Mapping{Name: "huawei", Version: "0.4", PowerStatusOID: "", AutoCheckOID: ".1.3.6.1.4.1.2011.6.174.1.2.100.1.2.1", SysOID: ".1.3.6.1.4.1.8072.3.2.10", Table: huaweiTable}

var huaweiSupplymethodInfo = &Lookup{Values: []LookupValue{{1, ""}, {2, "OL BYPASS"}, {3, "OL"}, {4, "OB"}, {5, ""}, {6, "OL ECO"}, {7, "OB ECO"}}}
var huaweiBattstateInfo = &Lookup{Values: []LookupValue{{1, ""}, {2, ""}, {3, ""}, {4, ""}, {5, "CHRG"}, {6, "DISCHRG"}}}
var huaweiPhaseInfo = &Lookup{Values: []LookupValue{{1, "1"}, {2, "3"}}}
var huaweiVoltratingInfo = &Lookup{Values: []LookupValue{{1, "200"}, {2, "208"}, {3, "220"}, {4, "380"}, {5, "400"}, {6, "415"}, {7, "480"}, {8, "600"}, {9, "690"}}}
var huaweiFreqratingInfo = &Lookup{Values: []LookupValue{{1, "50"}, {2, "60"}}}
var huaweiPwrratingInfo = &Lookup{Values: []LookupValue{{1, "80000"}, {2, "100000"}, {3, "120000"}, {4, "160000"}, {5, "200000"}, {6, "30000"}, {7, "40000"}, {8, "60000"}, {9, "2400000"}, {10, "2500000"}, {11, "2800000"}, {12, "3000000"}}}
var huaweiTestResultInfo = &Lookup{Values: []LookupValue{{1, "done and passed"}, {2, "done and warning"}, {3, "done and error"}, {4, "aborted"}, {5, "in progress"}, {6, "no test initiated"}}}

var huaweiTable = []Info{
	{Var: "device.description", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.1.0", Flags: OK},
	{Var: "device.contact", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.4.0", Flags: OK},
	{Var: "device.location", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.6.0", Flags: OK},
	{Var: "ups.mfr", String: true, Len: infoSize, Default: "Huawei", Flags: Absent | OK},
	{Var: "ups.model", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.2.100.1.2.1", Default: "Generic SNMP UPS", Flags: Static | OK},
	{Var: "ups.id", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.1.1.2.0", Flags: Static | OK},
	{Var: "ups.time", Len: 1, OID: ".1.3.6.1.4.1.2011.6.174.1.11.1.0", Flags: OK},
	{Var: "ups.firmware", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.2.100.1.3.1", Flags: Static | OK},
	{Var: "ups.serial", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.2.100.1.5.1", Flags: Static | OK},
	{Var: "ups.status", Len: 1, OID: ".1.3.6.1.4.1.2011.6.174.1.2.101.1.1.1", Flags: OK, Lookup: huaweiSupplymethodInfo},
	{Var: "ups.status", Len: 1, OID: ".1.3.6.1.4.1.2011.6.174.1.2.101.1.3.1", Flags: StatusBatt | OK, Lookup: huaweiBattstateInfo},
	{Var: "ups.test.result", String: true, Len: infoSize, OID: ".1.3.6.1.2.1.33.1.7.3.0", Default: "", Lookup: huaweiTestResultInfo},
	{Var: "input.phases", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.102.100.1.8", Default: "3", Flags: Absent | OK, Lookup: huaweiPhaseInfo},
	{Var: "input.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.1.1", Flags: OK},
	{Var: "input.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.2.1", Flags: OK},
	{Var: "input.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.3.1", Flags: OK},
	{Var: "input.frequency", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.4.1", Flags: OK},
	{Var: "input.L1.current", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.5.1", Flags: OK},
	{Var: "input.L2.current", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.6.1", Flags: OK},
	{Var: "input.L3.current", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.7.1", Flags: OK},
	{Var: "input.L1.powerfactor", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.8.1", Flags: OK},
	{Var: "input.L2.powerfactor", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.9.1", Flags: OK},
	{Var: "input.L3.powerfactor", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.3.100.1.10.1", Flags: OK},
	{Var: "input.bypass.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.5.100.1.1.1", Flags: OK},
	{Var: "input.bypass.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.5.100.1.2.1", Flags: OK},
	{Var: "input.bypass.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.5.100.1.3.1", Flags: OK},
	{Var: "input.bypass.frequency", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.5.100.1.4.1", Flags: OK},
	{Var: "output.phases", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.102.100.1.9", Default: "3", Flags: Absent | OK, Lookup: huaweiPhaseInfo},
	{Var: "output.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.1.1", Flags: OK},
	{Var: "output.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.2.1", Flags: OK},
	{Var: "output.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.3.1", Flags: OK},
	{Var: "output.L1.current", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.4.1", Flags: OK},
	{Var: "output.L2.current", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.5.1", Flags: OK},
	{Var: "output.L3.current", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.6.1", Flags: OK},
	{Var: "output.frequency", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.7.1", Flags: OK},
	{Var: "output.L1.realpower", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.8.1", Flags: OK},
	{Var: "output.L1.realpower", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.9.1", Flags: OK},
	{Var: "output.L1.realpower", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.10.1", Flags: OK},
	{Var: "output.L1.power", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.11.1", Flags: OK},
	{Var: "output.L2.power", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.12.1", Flags: OK},
	{Var: "output.L3.power", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.13.1", Flags: OK},
	{Var: "output.L1.power.percent", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.14.1", Flags: OK},
	{Var: "output.L2.power.percent", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.15.1", Flags: OK},
	{Var: "output.L3.power.percent", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.16.1", Flags: OK},
	{Var: "output.voltage.nominal", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.17.1", Flags: Static | OK, Lookup: huaweiVoltratingInfo},
	{Var: "output.frequency.nominal", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.18.1", Flags: Static | OK, Lookup: huaweiFreqratingInfo},
	{Var: "output.power.nominal", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.2011.6.174.1.2.100.1.6.1", Flags: Static | OK, Lookup: huaweiPwrratingInfo},
	{Var: "output.L1.powerfactor", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.19.1", Flags: OK},
	{Var: "output.L2.powerfactor", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.20.1", Flags: OK},
	{Var: "output.L2.powerfactor", Len: 0.01, OID: ".1.3.6.1.4.1.2011.6.174.1.4.100.1.21.1", Flags: OK},
	{Var: "battery.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.6.100.1.1.1", Flags: OK},
	{Var: "battery.current", Len: 0.1, OID: ".1.3.6.1.4.1.2011.6.174.1.6.100.1.2.1", Flags: OK},
	{Var: "battery.charge", Len: 1, OID: ".1.3.6.1.4.1.2011.6.174.1.6.100.1.3.1", Flags: OK},
	{Var: "battery.runtime", Len: 1, OID: ".1.3.6.1.4.1.2011.6.174.1.6.100.1.4.1", Flags: OK},
}
