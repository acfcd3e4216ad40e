package dummy

import (
	"strings"

	"github.com/sysnut/sysnut/internal/state"
)

// varInfo is how NUT's dummy-ups declares a variable: its flags and, for a
// string, its maximum length (what GET TYPE reports and SET VAR enforces).
type varInfo struct {
	flags state.Flags
	aux   int
}

// nutData is NUT 2.8.0's nut_data table (drivers/dummy-ups.h), first
// entry of each name; every other variable is RW STRING:32.
var nutData = map[string]varInfo{
	"ups.mfr":                   {state.RW | state.String, 32},
	"ups.model":                 {state.RW | state.String, 32},
	"ups.status":                {state.RW | state.String, 32},
	"ups.serial":                {state.RW | state.String, 32},
	"ups.load":                  {state.RW, 0},
	"ups.alarm":                 {state.RW | state.String, 32},
	"ups.time":                  {state.RW | state.String, 16},
	"ups.date":                  {state.RW | state.String, 16},
	"ups.mfr.date":              {state.RW | state.String, 16},
	"ups.firmware":              {state.RW | state.String, 16},
	"ups.firmware.aux":          {state.RW | state.String, 16},
	"ups.temperature":           {state.RW, 0},
	"ups.id":                    {state.RW | state.String, 16},
	"ups.delay.start":           {state.RW, 0},
	"ups.delay.reboot":          {state.RW, 0},
	"ups.delay.shutdown":        {state.RW, 0},
	"ups.test.interval":         {state.RW, 0},
	"ups.test.result":           {state.RW | state.String, 16},
	"input.voltage":             {state.RW, 0},
	"input.voltage.maximum":     {state.RW, 0},
	"input.voltage.minimum":     {state.RW, 0},
	"input.voltage.nominal":     {state.RW, 0},
	"input.transfer.reason":     {state.RW | state.String, 1},
	"input.transfer.low":        {state.RW, 0},
	"input.transfer.high":       {state.RW, 0},
	"input.sensitivity":         {state.RW | state.String, 1},
	"input.quality":             {state.RW | state.String, 6},
	"input.frequency":           {state.RW, 0},
	"input.transfer.boost.low":  {state.RW, 0},
	"input.transfer.boost.high": {state.RW, 0},
	"input.transfer.trim.low":   {state.RW, 0},
	"input.transfer.trim.high":  {state.RW, 0},
	"output.voltage":            {state.RW, 0},
	"output.frequency":          {state.RW, 0},
	"output.current":            {state.RW, 0},
	"battery.charge":            {state.RW, 0},
	"battery.charge.low":        {state.RW, 0},
	"battery.voltage":           {state.RW, 0},
	"battery.current":           {state.RW, 0},
	"battery.runtime":           {state.RW, 0},
	"battery.runtime.low":       {state.RW, 0},
	"battery.charge.restart":    {state.RW, 0},
	"battery.temperature":       {state.RW, 0},
	"battery.voltage.nominal":   {state.RW, 0},
	"ambient.temperature":       {state.RW, 0},
	"ambient.temperature.alarm": {state.RW, 0},
	"ambient.temperature.high":  {state.RW, 0},
	"ambient.temperature.low":   {state.RW, 0},
	"ambient.humidity":          {state.RW, 0},
	"ambient.humidity.alarm":    {state.RW, 0},
	"ambient.humidity.high":     {state.RW, 0},
	"ambient.humidity.low":      {state.RW, 0},
}

// unknownVar is what dummy-ups gives a variable missing from its table.
var unknownVar = varInfo{state.RW | state.String, 32}

// infoOf returns how NUT's dummy-ups declares name (case-insensitively,
// as its find_info compares).
func infoOf(name string) varInfo {
	if i, ok := nutData[strings.ToLower(name)]; ok {
		return i
	}
	return unknownVar
}
