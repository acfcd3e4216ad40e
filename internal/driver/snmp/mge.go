package snmp

// MGE is NUT 2.8.0's mge-mib.c ("mge" mapping), version 0.55: the
// table and lookups are its data, in its order.
var MGE = &Mapping{Name: "mge", Version: "0.55", PowerStatusOID: "", AutoCheckOID: ".1.3.6.1.4.1.705.1", SysOID: ".1.3.6.1.4.1.705.1", Table: mgeTable}

var mgeLowbattInfo = &Lookup{Values: []LookupValue{{1, "LB"}, {2, ""}}}
var mgeOnbattInfo = &Lookup{Values: []LookupValue{{1, "OB"}, {2, "OL"}}}
var mgeBypassInfo = &Lookup{Values: []LookupValue{{1, "BYPASS"}, {2, ""}}}
var mgeBoostInfo = &Lookup{Values: []LookupValue{{1, "BOOST"}, {2, ""}}}
var mgeTrimInfo = &Lookup{Values: []LookupValue{{1, "TRIM"}, {2, ""}}}
var mgeOverloadInfo = &Lookup{Values: []LookupValue{{1, "OVER"}, {2, ""}}}
var mgeReplacebattInfo = &Lookup{Values: []LookupValue{{1, "RB"}, {2, ""}}}
var mgeOutputUtilOffInfo = &Lookup{Values: []LookupValue{{1, "OFF"}, {2, ""}}}
var mgeTransferReasonInfo = &Lookup{Values: []LookupValue{{1, ""}, {2, "input voltage out of range"}, {3, "input frequency out of range"}, {4, "utility off"}}}
var mgeTestResultInfo = &Lookup{Values: []LookupValue{{1, "done and passed"}, {2, "done and warning"}, {3, "done and error"}, {4, "aborted"}, {5, "in progress"}, {6, "no test initiated"}}}
var mgeBeeperStatusInfo = &Lookup{Values: []LookupValue{{1, "disabled"}, {2, "enabled"}, {3, "muted"}}}
var mgeYesNoInfo = &Lookup{Values: []LookupValue{{1, "yes"}, {2, "no"}}}
var mgePowerSourceInfo = &Lookup{Values: []LookupValue{{1, ""}, {2, "OFF"}, {4, "BYPASS"}, {5, "OB"}, {6, "BOOST"}, {7, "TRIM"}}}
var mgeAmbientDrycontactsInfo = &Lookup{Values: []LookupValue{{-1, "unknown"}, {1, "closed"}, {2, "opened"}}}

var mgeTable = []Info{
	{Var: "device.description", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.1.0", Flags: OK},
	{Var: "device.contact", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.4.0", Flags: OK},
	{Var: "device.location", String: true, RW: true, Len: infoSize, OID: ".1.3.6.1.2.1.1.6.0", Flags: OK},
	{Var: "ups.mfr", String: true, Len: infoSize, Default: "Eaton", Flags: Static | Absent | OK},
	{Var: "ups.model", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.1.1.0", Default: "Generic SNMP UPS", Flags: Static | OK},
	{Var: "ups.serial", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.1.7.0", Default: "", Flags: Static | OK},
	{Var: "ups.firmware", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.1.4.0", Default: "", Flags: Static | OK},
	{Var: "ups.firmware.aux", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.12.12.0", Default: "", Flags: Static | OK},
	{Var: "ups.load", Len: 1, OID: ".1.3.6.1.4.1.705.1.7.2.1.4.1", Default: "", Flags: Output1},
	{Var: "ups.beeper.status", String: true, Len: infoSize, OID: "1.3.6.1.2.1.33.1.9.8.0", Default: "", Lookup: mgeBeeperStatusInfo},
	{Var: "ups.L1.load", Len: 1, OID: ".1.3.6.1.4.1.705.1.7.2.1.4.1", Default: "", Flags: Output3},
	{Var: "ups.L2.load", Len: 1, OID: ".1.3.6.1.4.1.705.1.7.2.1.4.2", Default: "", Flags: Output3},
	{Var: "ups.L3.load", Len: 1, OID: ".1.3.6.1.4.1.705.1.7.2.1.4.3", Default: "", Flags: Output3},
	{Var: "ups.test.result", String: true, Len: infoSize, OID: ".1.3.6.1.2.1.33.1.7.3.0", Default: "", Lookup: mgeTestResultInfo},
	{Var: "ups.delay.shutdown", String: true, RW: true, Len: 6, OID: "1.3.6.1.2.1.33.1.8.2.0", Default: "20", Flags: Absent | OK},
	{Var: "ups.delay.start", String: true, RW: true, Len: 6, OID: "1.3.6.1.2.1.33.1.8.3.0", Default: "30", Flags: Absent | OK},
	{Var: "ups.timer.shutdown", Len: 1, OID: "1.3.6.1.2.1.33.1.8.2.0", Default: "", Flags: OK},
	{Var: "ups.timer.start", Len: 1, OID: "1.3.6.1.2.1.33.1.8.3.0", Default: "", Flags: OK},
	{Var: "ups.timer.reboot", Len: 1, OID: "1.3.6.1.2.1.33.1.8.4.0", Default: "", Flags: OK},
	{Var: "ups.start.auto", RW: true, Len: 1, OID: "1.3.6.1.2.1.33.1.8.5.0", Default: "", Flags: OK, Lookup: mgeYesNoInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.5.11.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeReplacebattInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.5.14.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeLowbattInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.5.16.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeLowbattInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.7.3.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeOnbattInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.7.4.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeBypassInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.7.7.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeOutputUtilOffInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.7.8.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeBoostInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.7.10.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeOverloadInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.7.12.0", Default: "", Flags: OK | StatusBatt, Lookup: mgeTrimInfo},
	{Var: "ups.status", String: true, Len: infoSize, OID: ".1.3.6.1.2.1.33.1.4.1.0", Default: "", Flags: StatusPwr | OK, Lookup: mgePowerSourceInfo},
	{Var: "input.phases", Len: 1.0, OID: ".1.3.6.1.4.1.705.1.6.1.0", Default: ""},
	{Var: "input.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.2.1", Default: "", Flags: Input1},
	{Var: "input.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.2.1", Default: "", Flags: Input3},
	{Var: "input.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.2.2", Default: "", Flags: Input3},
	{Var: "input.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.2.3", Default: "", Flags: Input3},
	{Var: "input.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.3.1", Default: "", Flags: Input1},
	{Var: "input.L1.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.3.1", Default: "", Flags: Input3},
	{Var: "input.L2.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.3.2", Default: "", Flags: Input3},
	{Var: "input.L3.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.3.3", Default: "", Flags: Input3},
	{Var: "input.voltage.minimum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.4.1", Default: "", Flags: Input1},
	{Var: "input.L1-N.voltage.minimum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.4.1", Default: "", Flags: Input3},
	{Var: "input.L2-N.voltage.minimum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.4.2", Default: "", Flags: Input3},
	{Var: "input.L3-N.voltage.minimum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.4.3", Default: "", Flags: Input3},
	{Var: "input.voltage.maximum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.5.1", Default: "", Flags: Input1},
	{Var: "input.L1-N.voltage.maximum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.5.1", Default: "", Flags: Input3},
	{Var: "input.L2-N.voltage.maximum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.5.2", Default: "", Flags: Input3},
	{Var: "input.L3-N.voltage.maximum", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.5.3", Default: "", Flags: Input3},
	{Var: "input.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.6.1", Default: "", Flags: Input1},
	{Var: "input.L1.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.6.1", Default: "", Flags: Input3},
	{Var: "input.L2.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.6.2", Default: "", Flags: Input3},
	{Var: "input.L3.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.6.2.1.6.3", Default: "", Flags: Input3},
	{Var: "input.transfer.reason", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.6.4.0", Default: "", Flags: OK, Lookup: mgeTransferReasonInfo},
	{Var: "output.phases", Len: 1.0, OID: ".1.3.6.1.4.1.705.1.7.1.0", Default: ""},
	{Var: "output.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.2.1", Default: "", Flags: Output1},
	{Var: "output.L1-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.2.1", Default: "", Flags: Output3},
	{Var: "output.L2-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.2.2", Default: "", Flags: Output3},
	{Var: "output.L3-N.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.2.3", Default: "", Flags: Output3},
	{Var: "output.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.3.1", Default: "", Flags: Output1},
	{Var: "output.L1.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.3.1", Default: "", Flags: Output3},
	{Var: "output.L2.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.3.2", Default: "", Flags: Output3},
	{Var: "output.L3.frequency", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.3.3", Default: "", Flags: Output3},
	{Var: "output.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.5.1", Default: "", Flags: Output1},
	{Var: "output.L1.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.5.1", Default: "", Flags: Output3},
	{Var: "output.L2.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.5.2", Default: "", Flags: Output3},
	{Var: "output.L3.current", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.7.2.1.5.3", Default: "", Flags: Output3},
	{Var: "battery.charge", Len: 1, OID: ".1.3.6.1.4.1.705.1.5.2.0", Default: "", Flags: OK},
	{Var: "battery.runtime", Len: 1, OID: ".1.3.6.1.4.1.705.1.5.1.0", Default: "", Flags: OK},
	{Var: "battery.runtime.low", Len: 1, OID: ".1.3.6.1.4.1.705.1.4.7.0", Default: "", Flags: OK},
	{Var: "battery.charge.low", String: true, RW: true, Len: 2, OID: ".1.3.6.1.4.1.705.1.4.8.0", Default: "", Flags: TypeInt | OK},
	{Var: "battery.voltage", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.5.5.0", Default: "", Flags: OK},
	{Var: "ambient.temperature", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.8.1.0", Default: "", Flags: TypeInt | OK},
	{Var: "ambient.humidity", Len: 0.1, OID: ".1.3.6.1.4.1.705.1.8.2.0", Default: "", Flags: TypeInt | OK},
	{Var: "ambient.contacts.1.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.8.7.1.9.1", Default: "", Flags: TypeInt | OK, Lookup: mgeAmbientDrycontactsInfo},
	{Var: "ambient.contacts.2.status", String: true, Len: infoSize, OID: ".1.3.6.1.4.1.705.1.8.7.1.10.1", Default: "", Flags: TypeInt | OK, Lookup: mgeAmbientDrycontactsInfo},
	{Var: "outlet.id", Len: 1, Default: "0", Flags: Static | Absent | OK},
	{Var: "outlet.desc", String: true, RW: true, Len: 20, Default: "Main Outlet", Flags: Static | Absent | OK},
	{Var: "test.battery.start", Len: 1, OID: ".1.3.6.1.4.1.705.1.10.4.0", Default: "2", Flags: Cmd | OK},
	{Var: "beeper.disable", Len: 1, OID: "1.3.6.1.2.1.33.1.9.8.0", Default: "1", Flags: Cmd},
	{Var: "beeper.enable", Len: 1, OID: "1.3.6.1.2.1.33.1.9.8.0", Default: "2", Flags: Cmd},
	{Var: "beeper.mute", Len: 1, OID: "1.3.6.1.2.1.33.1.9.8.0", Default: "3", Flags: Cmd},
	{Var: "load.off.delay", Len: 1, OID: "1.3.6.1.2.1.33.1.8.2.0", Flags: Cmd},
	{Var: "load.on.delay", Len: 1, OID: "1.3.6.1.2.1.33.1.8.3.0", Flags: Cmd},
}
