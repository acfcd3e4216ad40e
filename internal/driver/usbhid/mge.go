package usbhid

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// MGE is NUT 2.8.0's mge-hid.c: Eaton, MGE and Powerware (vendors 0463,
// 0592) and the Dell, HP, IBM and AEG units built on them, with NUT's
// model table, ABM charger states and country rules.
var MGE = &Subdriver{
	Name:    "MGE HID 1.46",
	Devices: mgeDevices,
	Usages:  mgeUsages,
	Rows:    mgeRows,
	Claim:   eatonClaim,
	Mfr:     mfrOr("Eaton"),
	Model:   eatonModel,
	Serial:  usbSerial,
}

// The tables are NUT 2.8.0's (drivers/mge-hid.c): the products it
// claims, its vendor usages, and its rows in NUT's order (the first row
// of a variable that the UPS has wins).
var mgeDevices = []USBID{
	{Vendor: 0x0463, Product: 0x0001},
	{Vendor: 0x0463, Product: 0xffff},
	{Vendor: 0x047c, Product: 0xffff},
	{Vendor: 0x0592, Product: 0x0004},
	{Vendor: 0x03f0, Product: 0x1fe5},
	{Vendor: 0x03f0, Product: 0x1fe6},
	{Vendor: 0x03f0, Product: 0x1fe7},
	{Vendor: 0x03f0, Product: 0x1fe8},
	{Vendor: 0x2b2d, Product: 0xffff},
	{Vendor: 0x06da, Product: 0xffff},
	{Vendor: 0x04b3, Product: 0x0001},
}

var mgeUsages = hid.Table{
	{Name: "Undefined", Code: 0xffff0000},
	{Name: "STS", Code: 0xffff0001},
	{Name: "Environment", Code: 0xffff0002},
	{Name: "Statistic", Code: 0xffff0003},
	{Name: "StatisticSystem", Code: 0xffff0004},
	{Name: "Phase", Code: 0xffff0010},
	{Name: "PhaseID", Code: 0xffff0011},
	{Name: "Chopper", Code: 0xffff0012},
	{Name: "ChopperID", Code: 0xffff0013},
	{Name: "Inverter", Code: 0xffff0014},
	{Name: "InverterID", Code: 0xffff0015},
	{Name: "Rectifier", Code: 0xffff0016},
	{Name: "RectifierID", Code: 0xffff0017},
	{Name: "LCMSystem", Code: 0xffff0018},
	{Name: "LCMSystemID", Code: 0xffff0019},
	{Name: "LCMAlarm", Code: 0xffff001a},
	{Name: "LCMAlarmID", Code: 0xffff001b},
	{Name: "HistorySystem", Code: 0xffff001c},
	{Name: "HistorySystemID", Code: 0xffff001d},
	{Name: "Event", Code: 0xffff001e},
	{Name: "EventID", Code: 0xffff001f},
	{Name: "CircuitBreaker", Code: 0xffff0020},
	{Name: "TransferForbidden", Code: 0xffff0021},
	{Name: "OverallAlarm", Code: 0xffff0022},
	{Name: "Dephasing", Code: 0xffff0023},
	{Name: "BypassBreaker", Code: 0xffff0024},
	{Name: "PowerModule", Code: 0xffff0025},
	{Name: "PowerRate", Code: 0xffff0026},
	{Name: "PowerSource", Code: 0xffff0027},
	{Name: "CurrentPowerSource", Code: 0xffff0028},
	{Name: "RedundancyLevel", Code: 0xffff0029},
	{Name: "RedundancyLost", Code: 0xffff002a},
	{Name: "NotificationStatus", Code: 0xffff002b},
	{Name: "ProtectionLost", Code: 0xffff002c},
	{Name: "ConfigurationFailure", Code: 0xffff002d},
	{Name: "CompatibilityFailure", Code: 0xffff002e},
	{Name: "SwitchType", Code: 0xffff0040},
	{Name: "ConverterType", Code: 0xffff0041},
	{Name: "FrequencyConverterMode", Code: 0xffff0042},
	{Name: "AutomaticRestart", Code: 0xffff0043},
	{Name: "ForcedReboot", Code: 0xffff0044},
	{Name: "TestPeriod", Code: 0xffff0045},
	{Name: "EnergySaving", Code: 0xffff0046},
	{Name: "StartOnBattery", Code: 0xffff0047},
	{Name: "Schedule", Code: 0xffff0048},
	{Name: "DeepDischargeProtection", Code: 0xffff0049},
	{Name: "ShortCircuit", Code: 0xffff004a},
	{Name: "ExtendedVoltageMode", Code: 0xffff004b},
	{Name: "SensitivityMode", Code: 0xffff004c},
	{Name: "RemainingCapacityLimitSetting", Code: 0xffff004d},
	{Name: "ExtendedFrequencyMode", Code: 0xffff004e},
	{Name: "FrequencyConverterModeSetting", Code: 0xffff004f},
	{Name: "LowVoltageBoostTransfer", Code: 0xffff0050},
	{Name: "HighVoltageBoostTransfer", Code: 0xffff0051},
	{Name: "LowVoltageBuckTransfer", Code: 0xffff0052},
	{Name: "HighVoltageBuckTransfer", Code: 0xffff0053},
	{Name: "OverloadTransferEnable", Code: 0xffff0054},
	{Name: "OutOfToleranceTransferEnable", Code: 0xffff0055},
	{Name: "ForcedTransferEnable", Code: 0xffff0056},
	{Name: "LowVoltageBypassTransfer", Code: 0xffff0057},
	{Name: "HighVoltageBypassTransfer", Code: 0xffff0058},
	{Name: "FrequencyRangeBypassTransfer", Code: 0xffff0059},
	{Name: "LowVoltageEcoTransfer", Code: 0xffff005a},
	{Name: "HighVoltageEcoTransfer", Code: 0xffff005b},
	{Name: "FrequencyRangeEcoTransfer", Code: 0xffff005c},
	{Name: "ShutdownTimer", Code: 0xffff005d},
	{Name: "StartupTimer", Code: 0xffff005e},
	{Name: "RestartLevel", Code: 0xffff005f},
	{Name: "PhaseOutOfRange", Code: 0xffff0060},
	{Name: "CurrentLimitation", Code: 0xffff0061},
	{Name: "ThermalOverload", Code: 0xffff0062},
	{Name: "SynchroSource", Code: 0xffff0063},
	{Name: "FuseFault", Code: 0xffff0064},
	{Name: "ExternalProtectedTransfert", Code: 0xffff0065},
	{Name: "ExternalForcedTransfert", Code: 0xffff0066},
	{Name: "Compensation", Code: 0xffff0067},
	{Name: "EmergencyStop", Code: 0xffff0068},
	{Name: "PowerFactor", Code: 0xffff0069},
	{Name: "PeakFactor", Code: 0xffff006a},
	{Name: "ChargerType", Code: 0xffff006b},
	{Name: "HighPositiveDCBusVoltage", Code: 0xffff006c},
	{Name: "LowPositiveDCBusVoltage", Code: 0xffff006d},
	{Name: "HighNegativeDCBusVoltage", Code: 0xffff006e},
	{Name: "LowNegativeDCBusVoltage", Code: 0xffff006f},
	{Name: "FrequencyRangeTransfer", Code: 0xffff0070},
	{Name: "WiringFaultDetection", Code: 0xffff0071},
	{Name: "ControlStandby", Code: 0xffff0072},
	{Name: "ShortCircuitTolerance", Code: 0xffff0073},
	{Name: "VoltageTooHigh", Code: 0xffff0074},
	{Name: "VoltageTooLow", Code: 0xffff0075},
	{Name: "DCBusUnbalanced", Code: 0xffff0076},
	{Name: "FanFailure", Code: 0xffff0077},
	{Name: "WiringFault", Code: 0xffff0078},
	{Name: "Floating", Code: 0xffff0079},
	{Name: "OverCurrent", Code: 0xffff007a},
	{Name: "RemainingActivePower", Code: 0xffff007b},
	{Name: "Energy", Code: 0xffff007c},
	{Name: "Threshold", Code: 0xffff007d},
	{Name: "OverThreshold", Code: 0xffff007e},
	{Name: "Sensor", Code: 0xffff0080},
	{Name: "LowHumidity", Code: 0xffff0081},
	{Name: "HighHumidity", Code: 0xffff0082},
	{Name: "LowTemperature", Code: 0xffff0083},
	{Name: "HighTemperature", Code: 0xffff0084},
	{Name: "ECOControl", Code: 0xffff0085},
	{Name: "Efficiency", Code: 0xffff0086},
	{Name: "ABMEnable", Code: 0xffff0087},
	{Name: "NegativeCurrent", Code: 0xffff0088},
	{Name: "AutomaticStart", Code: 0xffff0089},
	{Name: "Count", Code: 0xffff0090},
	{Name: "Timer", Code: 0xffff0091},
	{Name: "Interval", Code: 0xffff0092},
	{Name: "TimerExpired", Code: 0xffff0093},
	{Name: "Mode", Code: 0xffff0094},
	{Name: "Country", Code: 0xffff0095},
	{Name: "State", Code: 0xffff0096},
	{Name: "Time", Code: 0xffff0097},
	{Name: "Code", Code: 0xffff0098},
	{Name: "DataValid", Code: 0xffff0099},
	{Name: "ToggleTimer", Code: 0xffff009a},
	{Name: "BypassTransferDelay", Code: 0xffff009b},
	{Name: "HysteresysVoltageTransfer", Code: 0xffff009c},
	{Name: "SlewRate", Code: 0xffff009d},
	{Name: "PDU", Code: 0xffff00a0},
	{Name: "Breaker", Code: 0xffff00a1},
	{Name: "BreakerID", Code: 0xffff00a2},
	{Name: "OverVoltage", Code: 0xffff00a3},
	{Name: "Tripped", Code: 0xffff00a4},
	{Name: "OverEnergy", Code: 0xffff00a5},
	{Name: "OverHumidity", Code: 0xffff00a6},
	{Name: "ConfigurationReset", Code: 0xffff00a7},
	{Name: "Level", Code: 0xffff00a8},
	{Name: "PDUType", Code: 0xffff00a9},
	{Name: "ReactivePower", Code: 0xffff00aa},
	{Name: "Pole", Code: 0xffff00ab},
	{Name: "PoleID", Code: 0xffff00ac},
	{Name: "Reset", Code: 0xffff00ad},
	{Name: "WatchdogReset", Code: 0xffff00ae},
	{Name: "COPIBridge", Code: 0xffff00e0},
	{Name: "iModel", Code: 0xffff00f0},
	{Name: "iVersion", Code: 0xffff00f1},
	{Name: "iTechnicalLevel", Code: 0xffff00f2},
	{Name: "iPartNumber", Code: 0xffff00f3},
	{Name: "iReferenceNumber", Code: 0xffff00f4},
	{Name: "iGang", Code: 0xffff00f5},
}

var eatonEnableDisableInfo = &Lookup{Values: []LookupValue{{0, "disabled"}, {1, "enabled"}}}
var mgeUpstypeConversion = &Lookup{Values: []LookupValue{{1, "offline / line interactive"}, {2, "online"}, {3, "online - unitary/parallel"}, {4, "online - parallel with hot standy"}, {5, "online - hot standby redundancy"}}}
var mgeSensitivityInfo = &Lookup{Values: []LookupValue{{0, "normal"}, {1, "high"}, {2, "low"}}}
var mgeEmergencyStop = &Lookup{Values: []LookupValue{{1, "Emergency stop!"}}}
var mgeWiringFault = &Lookup{Values: []LookupValue{{1, "Wiring fault!"}}}
var mgeConfigFailure = &Lookup{Values: []LookupValue{{1, "Fatal EEPROM fault!"}}}
var mgeInverterVolthi = &Lookup{Values: []LookupValue{{1, "Inverter AC voltage too high!"}}}
var mgeInverterVoltlo = &Lookup{Values: []LookupValue{{1, "Inverter AC voltage too low!"}}}
var mgeShortCircuit = &Lookup{Values: []LookupValue{{1, "Output short circuit!"}}}
var mgeOnbattInfo = &Lookup{Values: []LookupValue{{1, "!online"}, {0, "online"}}}

var mgeRows = []Row{
	{Var: "device.country", Path: "UPS.PowerSummary.Country", Format: "Europe", Flags: Static, Lookup: eatonCheckCountryInfo},
	{Var: "battery.charge", Path: "UPS.PowerSummary.RemainingCapacity", Format: "%.0f"},
	{Var: "battery.charge.low", RW: true, Len: 5, Path: "UPS.PowerSummary.RemainingCapacityLimitSetting", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.charge.low", Path: "UPS.PowerSummary.RemainingCapacityLimit", Format: "%.0f", Flags: Static},
	{Var: "battery.charge.restart", RW: true, Len: 3, Path: "UPS.PowerSummary.RestartLevel", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.capacity", Path: "UPS.BatterySystem.Battery.DesignCapacity", Format: "%s", Flags: Static, Lookup: mgeBatteryCapacity},
	{Var: "battery.runtime", Path: "UPS.PowerSummary.RunTimeToEmpty", Format: "%.0f"},
	{Var: "battery.runtime.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingTimeLimit", Format: "%.0f"},
	{Var: "battery.runtime.elapsed", Path: "UPS.StatisticSystem.Input.[1].Statistic.[1].Time", Format: "%.0f", Flags: QuickPoll},
	{Var: "battery.runtime.low", RW: true, Len: 10, Path: "UPS.PowerSummary.RemainingTimeLimit", Format: "%.0f"},
	{Var: "battery.temperature", Path: "UPS.BatterySystem.Battery.Temperature", Format: "%s", Lookup: kelvinCelsius},
	{Var: "battery.type", Path: "UPS.PowerSummary.iDeviceChemistry", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "battery.voltage", Path: "UPS.BatterySystem.Voltage", Format: "%.1f"},
	{Var: "battery.voltage", Path: "UPS.PowerSummary.Voltage", Format: "%s", Lookup: mgeBatteryVoltage},
	{Var: "battery.voltage.nominal", Path: "UPS.BatterySystem.ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "battery.voltage.nominal", Path: "UPS.PowerSummary.ConfigVoltage", Format: "%s", Flags: Static, Lookup: mgeBatteryVoltageNominal},
	{Var: "battery.protection", RW: true, Len: 5, Path: "UPS.BatterySystem.Battery.DeepDischargeProtection", Format: "%s", Flags: SemiStatic, Lookup: yesNoInfo},
	{Var: "battery.energysave", RW: true, Len: 5, Path: "UPS.PowerConverter.Input.[3].EnergySaving", Format: "%s", Flags: SemiStatic, Lookup: yesNoInfo},
	{Var: "battery.energysave.load", RW: true, Len: 5, Path: "UPS.PowerConverter.Input.[3].ConfigPercentLoad", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.energysave.delay", RW: true, Len: 5, Path: "UPS.PowerConverter.Input.[3].EnergySaving.ShutdownTimer", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.energysave.delay", RW: true, Len: 5, Path: "UPS.PowerConverter.Input.[3].ShutdownTimer", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.energysave.realpower", RW: true, Len: 5, Path: "UPS.PowerConverter.Input.[3].ConfigActivePower", Format: "%.0f", Flags: SemiStatic},
	{Var: "battery.charger.status", Path: "UPS.BatterySystem.Charger.ABMEnable", Format: "%.0f", Flags: QuickPoll, Lookup: eatonAbmEnabledInfo},
	{Var: "battery.charger.status", Path: "UPS.BatterySystem.Charger.Mode", Format: "%.0f", Flags: QuickPoll, Lookup: eatonAbmStatusInfo},
	{Var: "ups.efficiency", Path: "UPS.PowerConverter.Output.Efficiency", Format: "%.0f"},
	{Var: "ups.firmware", Path: "UPS.PowerSummary.iVersion", Format: "%s", Flags: Static, Lookup: stringID},
	{Var: "ups.load", Path: "UPS.PowerSummary.PercentLoad", Format: "%.0f"},
	{Var: "ups.load.high", RW: true, Len: 5, Path: "UPS.Flow.[4].ConfigPercentLoad", Format: "%.0f", Flags: SemiStatic},
	{Var: "ups.delay.start", RW: true, Len: 10, Path: "UPS.PowerSummary.DelayBeforeStartup", Format: defaultOndelay, Flags: Absent},
	{Var: "ups.delay.shutdown", RW: true, Len: 10, Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Absent},
	{Var: "ups.timer.start", Path: "UPS.PowerSummary.DelayBeforeStartup", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.shutdown", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.timer.reboot", Path: "UPS.PowerSummary.DelayBeforeReboot", Format: "%.0f", Flags: QuickPoll},
	{Var: "ups.test.result", Path: "UPS.BatterySystem.Battery.Test", Format: "%s", Lookup: testReadInfo},
	{Var: "ups.test.interval", RW: true, Len: 8, Path: "UPS.BatterySystem.Battery.TestPeriod", Format: "%.0f", Flags: SemiStatic},
	{Var: "ups.beeper.status", Path: "UPS.BatterySystem.Battery.AudibleAlarmControl", Format: "%s", Flags: SemiStatic, Lookup: beeperInfo},
	{Var: "ups.beeper.status", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "%s", Flags: SemiStatic, Lookup: beeperInfo},
	{Var: "ups.temperature", Path: "UPS.PowerSummary.Temperature", Format: "%s", Lookup: kelvinCelsius},
	{Var: "ups.power", Path: "UPS.PowerConverter.Output.ApparentPower", Format: "%.0f"},
	{Var: "ups.L1.power", Path: "UPS.PowerConverter.Output.Phase.[1].ApparentPower", Format: "%.0f"},
	{Var: "ups.L2.power", Path: "UPS.PowerConverter.Output.Phase.[2].ApparentPower", Format: "%.0f"},
	{Var: "ups.L3.power", Path: "UPS.PowerConverter.Output.Phase.[3].ApparentPower", Format: "%.0f"},
	{Var: "ups.power.nominal", Path: "UPS.Flow.[4].ConfigApparentPower", Format: "%.0f", Flags: Static},
	{Var: "ups.realpower", Path: "UPS.PowerConverter.Output.ActivePower", Format: "%.0f"},
	{Var: "ups.realpower", Path: "UPS.Flow.[4].ConfigApparentPower", Format: "-1", Lookup: eatonComputeRealpowerInfo},
	{Var: "ups.L1.realpower", Path: "UPS.PowerConverter.Output.Phase.[1].ActivePower", Format: "%.0f"},
	{Var: "ups.L2.realpower", Path: "UPS.PowerConverter.Output.Phase.[2].ActivePower", Format: "%.0f"},
	{Var: "ups.L3.realpower", Path: "UPS.PowerConverter.Output.Phase.[3].ActivePower", Format: "%.0f"},
	{Var: "ups.realpower.nominal", Path: "UPS.Flow.[4].ConfigActivePower", Format: "%.0f", Flags: Static},
	{Var: "ups.start.auto", RW: true, Len: 5, Path: "UPS.PowerConverter.Input.[1].AutomaticRestart", Format: "%s", Flags: SemiStatic, Lookup: yesNoInfo},
	{Var: "ups.start.battery", RW: true, Len: 5, Path: "UPS.PowerConverter.Input.[3].StartOnBattery", Format: "%s", Flags: SemiStatic, Lookup: yesNoInfo},
	{Var: "ups.start.reboot", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.ForcedReboot", Format: "%s", Flags: SemiStatic, Lookup: yesNoInfo},
	{Var: "ups.shutdown", RW: true, Len: 10, Path: "UPS.PowerSummary.PresentStatus.Switchable", Format: "%s", Flags: SemiStatic | Enum, Lookup: eatonEnableDisableInfo},
	{Var: "ups.date", RW: true, Len: 10, Path: "UPS.PowerSummary.Time", Format: "%s", Lookup: mgeDateConversion},
	{Var: "ups.time", RW: true, Len: 10, Path: "UPS.PowerSummary.Time", Format: "%s", Lookup: mgeTimeConversion},
	{Var: "ups.type", Path: "UPS.PowerConverter.ConverterType", Format: "%s", Flags: Static, Lookup: mgeUpstypeConversion},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Flags: QuickPoll, Lookup: onlineInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[3].PresentStatus.Used", Lookup: mgeOnbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Discharging", Flags: QuickPoll, Lookup: eatonDischargingInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Charging", Flags: QuickPoll, Lookup: eatonChargingInfo},
	{Var: "BOOL", Path: "UPS.BatterySystem.Charger.Mode", Format: "%.0f", Flags: QuickPoll, Lookup: eatonAbmChrgDischrgInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.BelowRemainingCapacityLimit", Flags: QuickPoll, Lookup: lowbattInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Output.Overload.[1].PresentStatus.OverThreshold", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Output.Overload.[2].PresentStatus.OverThreshold", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Overload", Lookup: overloadInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.NeedReplacement", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.LCMSystem.LCMAlarm.[2].PresentStatus.TimerExpired", Lookup: replacebattInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[1].PresentStatus.Buck", Lookup: trimInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[1].PresentStatus.Boost", Lookup: boostInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[1].PresentStatus.VoltageOutOfRange", Lookup: vrangeInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[1].PresentStatus.FrequencyOutOfRange", Lookup: frangeInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.Good", Lookup: offInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[1].PresentStatus.Used", Lookup: eatonConverterOnlineInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[2].PresentStatus.Used", Lookup: bypassAutoInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[4].PresentStatus.Used", Lookup: bypassManualInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.FanFailure", Lookup: fanfailInfo},
	{Var: "BOOL", Path: "UPS.BatterySystem.Battery.PresentStatus.Present", Lookup: nobatteryInfo},
	{Var: "BOOL", Path: "UPS.BatterySystem.Charger.PresentStatus.InternalFailure", Lookup: chargerfailInfo},
	{Var: "BOOL", Path: "UPS.BatterySystem.Charger.PresentStatus.VoltageTooHigh", Lookup: battvolthiInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[1].PresentStatus.VoltageTooHigh", Lookup: battvolthiInfo},
	{Var: "BOOL", Path: "UPS.BatterySystem.Battery.PresentStatus.VoltageTooHigh", Lookup: battvolthiInfo},
	{Var: "BOOL", Path: "UPS.BatterySystem.Charger.PresentStatus.VoltageTooLow", Lookup: battvoltloInfo},
	{Var: "BOOL", Path: "UPS.PowerConverter.Input.[1].PresentStatus.VoltageTooLow", Lookup: mgeOnbattInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.InternalFailure", Lookup: commfaultInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.OverTemperature", Lookup: overheatInfo},
	{Var: "BOOL", Path: "UPS.PowerSummary.PresentStatus.ShutdownImminent", Lookup: shutdownimmInfo},
	{Var: "ups.alarm", Path: "UPS.PowerSummary.PresentStatus.EmergencyStop", Lookup: mgeEmergencyStop},
	{Var: "ups.alarm", Path: "UPS.PowerConverter.Input.[1].PresentStatus.WiringFault", Lookup: mgeWiringFault},
	{Var: "ups.alarm", Path: "UPS.PowerSummary.PresentStatus.ConfigurationFailure", Lookup: mgeConfigFailure},
	{Var: "ups.alarm", Path: "UPS.PowerConverter.Inverter.PresentStatus.VoltageTooHigh", Lookup: mgeInverterVolthi},
	{Var: "ups.alarm", Path: "UPS.PowerConverter.Inverter.PresentStatus.VoltageTooLow", Lookup: mgeInverterVoltlo},
	{Var: "ups.alarm", Path: "UPS.PowerConverter.Output.PresentStatus.ShortCircuit", Lookup: mgeShortCircuit},
	{Var: "input.voltage", Path: "UPS.PowerConverter.Input.[1].Voltage", Format: "%.1f"},
	{Var: "input.L1-N.voltage", Path: "UPS.PowerConverter.Input.[1].Phase.[1].Voltage", Format: "%.1f"},
	{Var: "input.L2-N.voltage", Path: "UPS.PowerConverter.Input.[1].Phase.[2].Voltage", Format: "%.1f"},
	{Var: "input.L3-N.voltage", Path: "UPS.PowerConverter.Input.[1].Phase.[3].Voltage", Format: "%.1f"},
	{Var: "input.L1-L2.voltage", Path: "UPS.PowerConverter.Input.[1].Phase.[12].Voltage", Format: "%.1f"},
	{Var: "input.L2-L3.voltage", Path: "UPS.PowerConverter.Input.[1].Phase.[23].Voltage", Format: "%.1f"},
	{Var: "input.L3-L1.voltage", Path: "UPS.PowerConverter.Input.[1].Phase.[31].Voltage", Format: "%.1f"},
	{Var: "input.voltage.nominal", Path: "UPS.Flow.[1].ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "input.current", Path: "UPS.PowerConverter.Input.[1].Current", Format: "%.2f"},
	{Var: "input.L1.current", Path: "UPS.PowerConverter.Input.[1].Phase.[1].Current", Format: "%.1f"},
	{Var: "input.L2.current", Path: "UPS.PowerConverter.Input.[1].Phase.[2].Current", Format: "%.1f"},
	{Var: "input.L3.current", Path: "UPS.PowerConverter.Input.[1].Phase.[3].Current", Format: "%.1f"},
	{Var: "input.current.nominal", Path: "UPS.Flow.[1].ConfigCurrent", Format: "%.2f", Flags: Static},
	{Var: "input.frequency", Path: "UPS.PowerConverter.Input.[1].Frequency", Format: "%.1f"},
	{Var: "input.frequency.nominal", Path: "UPS.Flow.[1].ConfigFrequency", Format: "%.0f", Flags: Static},
	{Var: "input.transfer.low", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.LowVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.boost.low", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.LowVoltageBoostTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.boost.high", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.HighVoltageBoostTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.trim.low", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.LowVoltageBuckTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.high", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.HighVoltageTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.transfer.trim.high", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.HighVoltageBuckTransfer", Format: "%.0f", Flags: SemiStatic},
	{Var: "input.sensitivity", RW: true, Len: 10, Path: "UPS.PowerConverter.Output.SensitivityMode", Format: "%s", Flags: SemiStatic, Lookup: mgeSensitivityInfo},
	{Var: "input.voltage.extended", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.ExtendedVoltageMode", Format: "%s", Flags: SemiStatic, Lookup: yesNoInfo},
	{Var: "input.frequency.extended", RW: true, Len: 5, Path: "UPS.PowerConverter.Output.ExtendedFrequencyMode", Format: "%s", Flags: SemiStatic, Lookup: yesNoInfo},
	{Var: "input.bypass.voltage", Path: "UPS.PowerConverter.Input.[2].Voltage", Format: "%.1f"},
	{Var: "input.bypass.L1-N.voltage", Path: "UPS.PowerConverter.Input.[2].Phase.[1].Voltage", Format: "%.1f"},
	{Var: "input.bypass.L2-N.voltage", Path: "UPS.PowerConverter.Input.[2].Phase.[2].Voltage", Format: "%.1f"},
	{Var: "input.bypass.L3-N.voltage", Path: "UPS.PowerConverter.Input.[2].Phase.[3].Voltage", Format: "%.1f"},
	{Var: "input.bypass.L1-L2.voltage", Path: "UPS.PowerConverter.Input.[2].Phase.[12].Voltage", Format: "%.1f"},
	{Var: "input.bypass.L2-L3.voltage", Path: "UPS.PowerConverter.Input.[2].Phase.[23].Voltage", Format: "%.1f"},
	{Var: "input.bypass.L3-L1.voltage", Path: "UPS.PowerConverter.Input.[2].Phase.[31].Voltage", Format: "%.1f"},
	{Var: "input.bypass.voltage.nominal", Path: "UPS.Flow.[2].ConfigVoltage", Format: "%.0f", Flags: Static},
	{Var: "input.bypass.current", Path: "UPS.PowerConverter.Input.[2].Current", Format: "%.2f"},
	{Var: "input.bypass.L1.current", Path: "UPS.PowerConverter.Input.[2].Phase.[1].Current", Format: "%.1f"},
	{Var: "input.bypass.L2.current", Path: "UPS.PowerConverter.Input.[2].Phase.[2].Current", Format: "%.1f"},
	{Var: "input.bypass.L3.current", Path: "UPS.PowerConverter.Input.[2].Phase.[3].Current", Format: "%.1f"},
	{Var: "input.bypass.current.nominal", Path: "UPS.Flow.[2].ConfigCurrent", Format: "%.2f", Flags: Static},
	{Var: "input.bypass.frequency", Path: "UPS.PowerConverter.Input.[2].Frequency", Format: "%.1f"},
	{Var: "input.bypass.frequency.nominal", Path: "UPS.Flow.[2].ConfigFrequency", Format: "%.0f", Flags: Static},
	{Var: "output.voltage", Path: "UPS.PowerConverter.Output.Voltage", Format: "%.1f"},
	{Var: "output.L1-N.voltage", Path: "UPS.PowerConverter.Output.Phase.[1].Voltage", Format: "%.1f"},
	{Var: "output.L2-N.voltage", Path: "UPS.PowerConverter.Output.Phase.[2].Voltage", Format: "%.1f"},
	{Var: "output.L3-N.voltage", Path: "UPS.PowerConverter.Output.Phase.[3].Voltage", Format: "%.1f"},
	{Var: "output.L1-L2.voltage", Path: "UPS.PowerConverter.Output.Phase.[12].Voltage", Format: "%.1f"},
	{Var: "output.L2-L3.voltage", Path: "UPS.PowerConverter.Output.Phase.[23].Voltage", Format: "%.1f"},
	{Var: "output.L3-L1.voltage", Path: "UPS.PowerConverter.Output.Phase.[31].Voltage", Format: "%.1f"},
	{Var: "output.voltage.nominal", RW: true, Len: 3, Path: "UPS.Flow.[4].ConfigVoltage", Format: "%.0f", Flags: SemiStatic | Enum, Lookup: nominalOutputVoltageInfo},
	{Var: "output.current", Path: "UPS.PowerConverter.Output.Current", Format: "%.2f"},
	{Var: "output.L1.current", Path: "UPS.PowerConverter.Output.Phase.[1].Current", Format: "%.1f"},
	{Var: "output.L2.current", Path: "UPS.PowerConverter.Output.Phase.[2].Current", Format: "%.1f"},
	{Var: "output.L3.current", Path: "UPS.PowerConverter.Output.Phase.[3].Current", Format: "%.1f"},
	{Var: "output.current.nominal", Path: "UPS.Flow.[4].ConfigCurrent", Format: "%.2f"},
	{Var: "output.frequency", Path: "UPS.PowerConverter.Output.Frequency", Format: "%.1f"},
	{Var: "output.frequency.nominal", Path: "UPS.Flow.[4].ConfigFrequency", Format: "%.0f", Flags: Static},
	{Var: "output.powerfactor", Path: "UPS.PowerConverter.Output.PowerFactor", Format: "%s", Lookup: mgePowerfactorConversion},
	{Var: "outlet.id", Path: "UPS.OutletSystem.Outlet.[1].OutletID", Format: "%.0f", Flags: Static},
	{Var: "outlet.desc", RW: true, Len: 20, Path: "UPS.OutletSystem.Outlet.[1].OutletID", Format: "Main Outlet", Flags: Absent},
	{Var: "outlet.switchable", Path: "UPS.OutletSystem.Outlet.[1].PresentStatus.Switchable", Format: "%s", Flags: Static, Lookup: yesNoInfo},
	{Var: "outlet.power", RW: true, Len: 6, Path: "UPS.OutletSystem.Outlet.[1].ConfigApparentPower", Format: "%s", Flags: SemiStatic | Enum, Lookup: pegasusThresholdInfo},
	{Var: "outlet.power", Path: "UPS.OutletSystem.Outlet.[1].ApparentPower", Format: "%.0f"},
	{Var: "outlet.realpower", Path: "UPS.OutletSystem.Outlet.[1].ActivePower", Format: "%.0f"},
	{Var: "outlet.current", Path: "UPS.OutletSystem.Outlet.[1].Current", Format: "%.2f"},
	{Var: "outlet.powerfactor", Path: "UPS.OutletSystem.Outlet.[1].PowerFactor", Format: "%.2f"},
	{Var: "outlet.1.id", Path: "UPS.OutletSystem.Outlet.[2].OutletID", Format: "%.0f", Flags: Static},
	{Var: "outlet.1.desc", RW: true, Len: 20, Path: "UPS.OutletSystem.Outlet.[2].OutletID", Format: "PowerShare Outlet 1", Flags: Absent},
	{Var: "outlet.1.switchable", Path: "UPS.OutletSystem.Outlet.[2].PresentStatus.Switchable", Format: "%s", Flags: Static, Lookup: yesNoInfo},
	{Var: "outlet.1.status", Path: "UPS.OutletSystem.Outlet.[2].PresentStatus.SwitchOn/Off", Format: "%s", Lookup: onOffInfo},
	{Var: "outlet.1.status", Path: "UPS.PowerSummary.PresentStatus.ACPresent", Format: "%s", Lookup: onOffInfo},
	{Var: "outlet.1.autoswitch.charge.low", RW: true, Len: 3, Path: "UPS.OutletSystem.Outlet.[2].RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "outlet.1.delay.shutdown", RW: true, Len: 5, Path: "UPS.OutletSystem.Outlet.[2].ShutdownTimer", Format: "%.0f", Flags: SemiStatic},
	{Var: "outlet.1.delay.start", RW: true, Len: 5, Path: "UPS.OutletSystem.Outlet.[2].StartupTimer", Format: "%.0f", Flags: SemiStatic},
	{Var: "outlet.1.power", Path: "UPS.OutletSystem.Outlet.[2].ApparentPower", Format: "%.0f"},
	{Var: "outlet.1.realpower", Path: "UPS.OutletSystem.Outlet.[2].ActivePower", Format: "%.0f"},
	{Var: "outlet.1.current", Path: "UPS.OutletSystem.Outlet.[2].Current", Format: "%.2f"},
	{Var: "outlet.1.powerfactor", Path: "UPS.OutletSystem.Outlet.[2].PowerFactor", Format: "%.2f"},
	{Var: "outlet.2.id", Path: "UPS.OutletSystem.Outlet.[3].OutletID", Format: "%.0f", Flags: Static},
	{Var: "outlet.2.desc", RW: true, Len: 20, Path: "UPS.OutletSystem.Outlet.[3].OutletID", Format: "PowerShare Outlet 2", Flags: Absent},
	{Var: "outlet.2.switchable", RW: true, Len: 3, Path: "UPS.OutletSystem.Outlet.[3].PresentStatus.Switchable", Format: "%s", Flags: SemiStatic, Lookup: pegasusYesNoInfo},
	{Var: "outlet.2.switchable", Path: "UPS.OutletSystem.Outlet.[3].PresentStatus.Switchable", Format: "%s", Lookup: yesNoInfo},
	{Var: "outlet.2.status", Path: "UPS.OutletSystem.Outlet.[3].PresentStatus.SwitchOn/Off", Format: "%s", Lookup: onOffInfo},
	{Var: "outlet.2.autoswitch.charge.low", RW: true, Len: 3, Path: "UPS.OutletSystem.Outlet.[3].RemainingCapacityLimit", Format: "%.0f", Flags: SemiStatic},
	{Var: "outlet.2.delay.shutdown", RW: true, Len: 5, Path: "UPS.OutletSystem.Outlet.[3].ShutdownTimer", Format: "%.0f", Flags: SemiStatic},
	{Var: "outlet.2.delay.start", RW: true, Len: 5, Path: "UPS.OutletSystem.Outlet.[3].StartupTimer", Format: "%.0f", Flags: SemiStatic},
	{Var: "outlet.2.power", Path: "UPS.OutletSystem.Outlet.[3].ApparentPower", Format: "%.0f"},
	{Var: "outlet.2.realpower", Path: "UPS.OutletSystem.Outlet.[3].ActivePower", Format: "%.0f"},
	{Var: "outlet.2.current", Path: "UPS.OutletSystem.Outlet.[3].Current", Format: "%.2f"},
	{Var: "outlet.2.powerfactor", Path: "UPS.OutletSystem.Outlet.[3].PowerFactor", Format: "%.2f"},
	{Var: "test.battery.start.quick", Path: "UPS.BatterySystem.Battery.Test", Format: "1", Flags: Cmd},
	{Var: "test.battery.start.deep", Path: "UPS.BatterySystem.Battery.Test", Format: "2", Flags: Cmd},
	{Var: "test.battery.stop", Path: "UPS.BatterySystem.Battery.Test", Format: "3", Flags: Cmd},
	{Var: "load.off.delay", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: defaultOffdelay, Flags: Cmd},
	{Var: "load.on.delay", Path: "UPS.PowerSummary.DelayBeforeStartup", Format: defaultOndelay, Flags: Cmd},
	{Var: "shutdown.stop", Path: "UPS.PowerSummary.DelayBeforeShutdown", Format: "-1", Flags: Cmd},
	{Var: "shutdown.reboot", Path: "UPS.PowerSummary.DelayBeforeReboot", Format: "10", Flags: Cmd},
	{Var: "beeper.off", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.on", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.mute", Path: "UPS.BatterySystem.Battery.AudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "beeper.mute", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "3", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.BatterySystem.Battery.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.disable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "1", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.BatterySystem.Battery.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "beeper.enable", Path: "UPS.PowerSummary.AudibleAlarmControl", Format: "2", Flags: Cmd},
	{Var: "outlet.1.load.off", Path: "UPS.OutletSystem.Outlet.[2].DelayBeforeShutdown", Format: "0", Flags: Cmd},
	{Var: "outlet.1.load.on", Path: "UPS.OutletSystem.Outlet.[2].DelayBeforeStartup", Format: "0", Flags: Cmd},
	{Var: "outlet.2.load.off", Path: "UPS.OutletSystem.Outlet.[3].DelayBeforeShutdown", Format: "0", Flags: Cmd},
	{Var: "outlet.2.load.on", Path: "UPS.OutletSystem.Outlet.[3].DelayBeforeStartup", Format: "0", Flags: Cmd},
}

// Eaton/MGE model types (NUT's models_type_t): the high byte is the
// series; below mgeDefault are the offline models.
const (
	mgeDefaultOffline = 0x000
	mgePegasus        = 0x100
	mge3S             = 0x110
	mgeDefault        = 0x200
	mgeEvolution      = 0x300
	mgeEvolution650   = 0x301
	mgePulsarM        = 0x400
	mgePulsarM2200    = 0x401
	mgePulsarM3000    = 0x402
	mgePulsarM3000XL  = 0x403
	eaton5P           = 0x500
)

// Countries of UPS.PowerSummary.Country that matter here.
const (
	countryUnknown   = -1
	countryEurope    = 0
	countryEurope208 = 2
)

// mgeModel is a line of NUT's mge_model_names: the USB product string
// and the model string (iModel, or the VA rating) of a known model, its
// type, and its name ("" for product and model joined by a space).
type mgeModel struct {
	product, model string
	kind           int
	name           string
}

var mgeModels = []mgeModel{
	{"ELLIPSE", "300", mgeDefaultOffline, "ellipse 300"},
	{"ELLIPSE", "500", mgeDefaultOffline, "ellipse 500"},
	{"ELLIPSE", "650", mgeDefaultOffline, "ellipse 650"},
	{"ELLIPSE", "800", mgeDefaultOffline, "ellipse 800"},
	{"ELLIPSE", "1200", mgeDefaultOffline, "ellipse 1200"},
	{"ellipse", "PR500", mgeDefaultOffline, "ellipse premium 500"},
	{"ellipse", "PR650", mgeDefaultOffline, "ellipse premium 650"},
	{"ellipse", "PR800", mgeDefaultOffline, "ellipse premium 800"},
	{"ellipse", "PR1200", mgeDefaultOffline, "ellipse premium 1200"},
	{"ELLIPSE", "600", mgeDefaultOffline, "Ellipse 600"},
	{"ELLIPSE", "750", mgeDefaultOffline, "Ellipse 750"},
	{"ELLIPSE", "1000", mgeDefaultOffline, "Ellipse 1000"},
	{"ELLIPSE", "1500", mgeDefaultOffline, "Ellipse 1500"},
	{"Ellipse MAX", "600", mgeDefaultOffline, ""},
	{"Ellipse MAX", "850", mgeDefaultOffline, ""},
	{"Ellipse MAX", "1100", mgeDefaultOffline, ""},
	{"Ellipse MAX", "1500", mgeDefaultOffline, ""},
	{"PROTECTIONCENTER", "420", mgeDefaultOffline, "Protection Center 420"},
	{"PROTECTIONCENTER", "500", mgeDefaultOffline, "Protection Center 500"},
	{"PROTECTIONCENTER", "675", mgeDefaultOffline, "Protection Center 675"},
	{"Protection Station", "500", mgePegasus, ""},
	{"Protection Station", "650", mgePegasus, ""},
	{"Protection Station", "800", mgePegasus, ""},
	{"Ellipse ECO", "650", mgePegasus, ""},
	{"Ellipse ECO", "800", mgePegasus, ""},
	{"Ellipse ECO", "1200", mgePegasus, ""},
	{"Ellipse ECO", "1600", mgePegasus, ""},
	{"3S", "450", mgeDefaultOffline, ""},
	{"3S", "550", mgeDefaultOffline, ""},
	{"3S", "700", mge3S, ""},
	{"3S", "750", mge3S, ""},
	{"Evolution", "500", mgeDefault, "Pulsar Evolution 500"},
	{"Evolution", "800", mgeDefault, "Pulsar Evolution 800"},
	{"Evolution", "1100", mgeDefault, "Pulsar Evolution 1100"},
	{"Evolution", "1500", mgeDefault, "Pulsar Evolution 1500"},
	{"Evolution", "2200", mgeDefault, "Pulsar Evolution 2200"},
	{"Evolution", "3000", mgeDefault, "Pulsar Evolution 3000"},
	{"Evolution", "3000XL", mgeDefault, "Pulsar Evolution 3000 XL"},
	{"Evolution", "650", mgeEvolution650, ""},
	{"Evolution", "850", mgeEvolution650 + 1, ""},
	{"Evolution", "1150", mgeEvolution650 + 2, ""},
	{"Evolution", "S 1250", mgeEvolution650 + 3, ""},
	{"Evolution", "1550", mgeEvolution650 + 4, ""},
	{"Evolution", "S 1750", mgeEvolution650 + 5, ""},
	{"Evolution", "2000", mgeEvolution650 + 6, ""},
	{"Evolution", "S 2500", mgeEvolution650 + 7, ""},
	{"Evolution", "S 3000", mgeEvolution650 + 8, ""},
	{"Eaton 5P", "650", eaton5P, "5P 650"},
	{"Eaton 5P", "850", eaton5P, "5P 850"},
	{"Eaton 5P", "1150", eaton5P, "5P 1150"},
	{"Eaton 5P", "1550", eaton5P, "5P 1550"},
	{"PULSAR M", "2200", mgePulsarM2200, ""},
	{"PULSAR M", "3000", mgePulsarM3000, ""},
	{"PULSAR M", "3000 XL", mgePulsarM3000XL, ""},
	{"EX", "2200", mgePulsarM2200, ""},
	{"EX", "3000", mgePulsarM3000, ""},
	{"EX", "3000 XL", mgePulsarM3000, ""},
	{"PULSAR", "MX4000", mgeDefault, "Pulsar MX 4000 RT"},
	{"PULSAR", "MX5000", mgeDefault, "Pulsar MX 5000 RT"},
	{"NOVA AVR", "500", mgeDefault, "Nova 500 AVR"},
	{"NOVA AVR", "600", mgeDefault, "Nova 600 AVR"},
	{"NOVA AVR", "625", mgeDefault, "Nova 625 AVR"},
	{"NOVA AVR", "1100", mgeDefault, "Nova 1100 AVR"},
	{"NOVA AVR", "1250", mgeDefault, "Nova 1250 AVR"},
	{"EXtreme", "700C", mgeDefault, "Pulsar EXtreme 700C"},
	{"EXtreme", "1000C", mgeDefault, "Pulsar EXtreme 1000C"},
	{"EXtreme", "1500C", mgeDefault, "Pulsar EXtreme 1500C"},
	{"EXtreme", "1500CCLA", mgeDefault, "Pulsar EXtreme 1500C CLA"},
	{"EXtreme", "2200C", mgeDefault, "Pulsar EXtreme 2200C"},
	{"EXtreme", "3200C", mgeDefault, "Pulsar EXtreme 3200C"},
	{"EX", "700RT", mgeDefault, "Pulsar EX 700 RT"},
	{"EX", "1000RT", mgeDefault, "Pulsar EX 1000 RT"},
	{"EX", "1500RT", mgeDefault, "Pulsar EX 1500 RT"},
	{"EX", "2200RT", mgeDefault, "Pulsar EX 2200 RT"},
	{"EX", "3200RT", mgeDefault, "Pulsar EX 3200 RT"},
	{"EX", "5RT31", mgeDefault, "EX 5 RT 3:1"},
	{"EX", "7RT31", mgeDefault, "EX 7 RT 3:1"},
	{"EX", "11RT31", mgeDefault, "EX 11 RT 3:1"},
	{"EX", "5RT", mgeDefault, "EX 5 RT"},
	{"EX", "7RT", mgeDefault, "EX 7 RT"},
	{"EX", "11RT", mgeDefault, "EX 11 RT"},
	{"GALAXY", "3000_10", mgeDefault, "Galaxy 3000 10 kVA"},
	{"GALAXY", "3000_15", mgeDefault, "Galaxy 3000 15 kVA"},
	{"GALAXY", "3000_20", mgeDefault, "Galaxy 3000 20 kVA"},
	{"GALAXY", "3000_30", mgeDefault, "Galaxy 3000 30 kVA"},
}

func mgeType(d *Device) int    { return int(memoOr(d, "mge_type", mgeDefault)) }
func mgeCountry(d *Device) int { return int(memoOr(d, "country", countryUnknown)) }
func mgeSeries(d *Device) int  { return mgeType(d) & 0xff00 }
func mgeIsPegasusLike(d *Device) bool {
	switch mgeSeries(d) {
	case mgePegasus:
		return true
	case mge3S:
		return mgeCountry(d) != countryEurope // US 750, AUS 700
	}
	return false
}

// eatonClaim is NUT's mge_claim: Phoenixtec's vendor ID is Liebert's
// unless the UPS says AEG; HP and Dell make much else, so another of
// their products only with productid, silently.
func eatonClaim(d *Device, productid bool) bool {
	aeg := strings.Contains(d.Vendor, "AEG") || strings.Contains(d.Product, "AEG")
	switch supportOf(mgeDevices, d) {
	case Supported:
		return d.VendorID != 0x06da || aeg
	case PossiblySupported:
		if d.VendorID == 0x06da {
			return aeg
		}
		return productid
	}
	return false
}

// eatonModel is NUT's mge_format_model: Dell's product string is the
// model; otherwise the product string and the model string (iModel, a
// USB string descriptor, else the VA rating as NUT falls back on) name a
// known model (and its type), or are joined.
func eatonModel(d *Device, _ func(string, string)) string {
	if d.VendorID == 0x047c {
		return d.Product
	}
	product := d.Product
	if product == "" {
		product = "unknown"
	}
	var model string
	if d.Item != nil && d.String != nil {
		if i, ok := d.Item("UPS.PowerSummary.iModel"); ok && int(i) >= 0 && int(i) <= 255 {
			if s, ok := d.String(int(i)); ok {
				model = asciiString(s, 512) // NUT's SMALLBUF
			}
		}
	}
	if model == "" && d.Item != nil {
		if va, ok := d.Item("UPS.Flow.[4].ConfigApparentPower"); ok {
			model = strconv.Itoa(int(va))
		}
	}
	if model == "" {
		return d.Product
	}
	if d.Memo == nil {
		d.Memo = map[string]float64{}
	}
	for _, m := range mgeModels {
		if m.product == product && m.model == model {
			d.Memo["mge_type"] = float64(m.kind)
			if m.name != "" {
				return m.name
			}
			break
		}
	}
	return product + " " + model
}

var (
	// eatonAbmEnabledInfo records whether the charger does Advanced
	// Battery Monitoring; nothing is published.
	eatonAbmEnabledInfo = &Lookup{Values: []LookupValue{{0, "dummy"}}, Fun: func(v float64, d *Device) (string, bool) {
		d.Memo["abm"] = v
		return "", false
	}}
	// eatonAbmStatusInfo is battery.charger.status from the ABM mode.
	eatonAbmStatusInfo = &Lookup{Values: []LookupValue{{1, "dummy"}}, Fun: func(v float64, d *Device) (string, bool) {
		if abmDisabled(d) {
			if d.Unpublish != nil {
				d.Unpublish("battery.charger.status")
			}
			return "", false
		}
		switch int64(v) {
		case 1:
			return "charging", true
		case 2:
			return "discharging", true
		case 3:
			return "floating", true
		case 4:
			return "resting", true
		case 6:
			return "off", true
		}
		return "", false
	}}
	// eatonAbmChrgDischrgInfo: with ABM, CHRG and DISCHRG come from the
	// charger mode.
	eatonAbmChrgDischrgInfo = &Lookup{Values: []LookupValue{{1, "dummy"}}, Fun: func(v float64, d *Device) (string, bool) {
		if abmDisabled(d) {
			return "", false
		}
		switch int64(v) {
		case 1, 3:
			return "chrg", true
		case 2:
			return "dischrg", true
		}
		return "", false
	}}
	// Without ABM, CHRG and DISCHRG come from the status bits; with it,
	// the bits only clear them.
	eatonDischargingInfo = abmCheck("dischrg")
	eatonChargingInfo    = abmCheck("chrg")
)

// abmDisabled: ABM is known to be off (unknown counts as on, as NUT's
// ABM_UNKNOWN does not equal ABM_DISABLED).
func abmDisabled(d *Device) bool {
	v, ok := d.Memo["abm"]
	return ok && v == 0
}

func abmCheck(flag string) *Lookup {
	return &Lookup{Values: []LookupValue{{1, "dummy"}}, Fun: func(v float64, d *Device) (string, bool) {
		if abmDisabled(d) && v == 1 {
			return flag, true
		}
		return "!" + flag, true
	}}
}

// mgeTime is UPS.PowerSummary.Time (Unix time) as ups.date and ups.time
// in local time; the way back joins the other half as published.
func mgeTime(layout, other string, dateFirst bool) *Lookup {
	return &Lookup{
		Fun: func(v float64, _ *Device) (string, bool) {
			return time.Unix(int64(v), 0).Format(layout), true
		},
		Rev: func(s string, d *Device) (float64, bool) {
			o := ""
			if d.Published != nil {
				o, _ = d.Published(other)
			}
			full := o + " " + s
			if dateFirst {
				full = s + " " + o
			}
			t, err := time.ParseInLocation("2006/01/02 15:04:05", driver.CBuf(full, 20), time.Local)
			if err != nil {
				return 0, true
			}
			return float64(t.Unix()), true
		},
	}
}

var (
	mgeDateConversion = mgeTime("2006/01/02", "ups.time", true)
	mgeTimeConversion = mgeTime("15:04:05", "ups.date", false)

	// mgeBatteryVoltageNominal is published for the series that report
	// it right (the Evolution 650 says 12 V).
	mgeBatteryVoltageNominal = &Lookup{Fun: func(v float64, d *Device) (string, bool) {
		switch mgeSeries(d) {
		case mgeEvolution:
			if mgeType(d) == mgeEvolution650 {
				v = 12
			}
		case mgePulsarM, eaton5P:
		default:
			return "", false
		}
		return cformat("%.0f", v), true
	}}
	mgeBatteryVoltage = &Lookup{Fun: func(v float64, d *Device) (string, bool) {
		switch mgeSeries(d) {
		case mgeEvolution, mgePulsarM, eaton5P:
			return cformat("%.1f", v), true
		}
		return "", false
	}}
	mgePowerfactorConversion = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		return cformat("%.2f", v/100), true
	}}
	mgeBatteryCapacity = &Lookup{Fun: func(v float64, _ *Device) (string, bool) {
		return cformat("%.2f", v/3600), true
	}}

	// The Eco mode settings exist on the Protection Station, the Ellipse
	// ECO and the 3S outside Europe.
	pegasusThresholdInfo = &Lookup{Values: []LookupValue{{10, "10"}, {25, "25"}, {60, "60"}},
		Fun: func(v float64, d *Device) (string, bool) {
			if !mgeIsPegasusLike(d) {
				return "", false
			}
			return cformat("%.0f", v), true
		}}
	pegasusYesNoInfo = &Lookup{Values: []LookupValue{{0, "no"}, {1, "yes"}},
		Fun: func(v float64, d *Device) (string, bool) {
			if !mgeIsPegasusLike(d) {
				return "", false
			}
			if v == 0 {
				return "no", true
			}
			return "yes", true
		},
		Rev: func(s string, d *Device) (float64, bool) {
			if mgeIsPegasusLike(d) && strings.HasPrefix(s, "yes") {
				return 1, true
			}
			return 0, true
		}}

	// eatonCheckCountryInfo records the country; nothing is published.
	eatonCheckCountryInfo = &Lookup{Values: []LookupValue{{0, "dummy"}}, Fun: func(v float64, d *Device) (string, bool) {
		d.Memo["country"] = float64(int64(v))
		return "", false
	}}

	// eatonComputeRealpowerInfo approximates ups.realpower from the load,
	// the nominal power and the power factor (0.8 unless published).
	eatonComputeRealpowerInfo = &Lookup{Values: []LookupValue{{0, "dummy"}}, Fun: func(_ float64, d *Device) (string, bool) {
		if d.Published == nil {
			return "", false
		}
		load, ok1 := d.Published("ups.load")
		nominal, ok2 := d.Published("ups.power.nominal")
		if !ok1 || !ok2 {
			return "", false
		}
		pf := float64(float32(0.80)) // NUT's is a C float
		if s, ok := d.Published("output.powerfactor"); ok {
			pf = float64(float32(driver.Atol(s))) // NUT's atoi: "0.95" is 0
		}
		rp := math.Round(float64(driver.Atol(load)) * 0.01 * float64(driver.Atol(nominal)) * pf)
		return cformat("%.0f", rp), true
	}}

	// eatonConverterOnlineInfo: the converter's input counts only while
	// the UPS is not off.
	eatonConverterOnlineInfo = &Lookup{Values: []LookupValue{{0, "dummy"}}, Fun: func(v float64, d *Device) (string, bool) {
		if d.Flag != nil && d.Flag("off") {
			return "", false
		}
		if v == 0 {
			return "!online", true
		}
		return "online", true
	}}
)

// nominalOutputVoltageInfo keeps the nominal output voltages the model
// can be set to: low-voltage models 100-127 V; high-voltage ones 200/208
// or 220-240 V, both on line-interactive and online models (and the
// European 208 V ones). The first value read decides the model's range.
var nominalOutputVoltageInfo = &Lookup{
	Values: []LookupValue{{200, "200"}, {208, "208"}, {220, "220"}, {230, "230"}, {240, "240"},
		{100, "100"}, {110, "110"}, {120, "120"}, {127, "127"}},
	Fun: func(v float64, d *Device) (string, bool) {
		if _, ok := d.Memo["nominal_output"]; !ok {
			d.Memo["nominal_output"] = float64(int64(v))
		}
		nominal, val := int64(d.Memo["nominal_output"]), int64(v)
		lv := func(x int64) bool { return x == 100 || x == 110 || x == 120 || x == 127 }
		v208 := func(x int64) bool { return x == 200 || x == 208 }
		v230 := func(x int64) bool { return x == 220 || x == 230 || x == 240 }
		offline := mgeSeries(d) < mgeDefault
		switch {
		case lv(nominal):
			if !lv(val) {
				return "", false
			}
		case v208(nominal):
			if !v208(val) && !(v230(val) && !offline) {
				return "", false
			}
		case v230(nominal):
			if v208(val) && offline {
				return "", false
			}
			if !v208(val) && !v230(val) {
				return "", false
			}
		}
		return cformat("%.0f", v), true
	},
}
