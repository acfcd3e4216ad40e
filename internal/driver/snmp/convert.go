package snmp

import (
	"fmt"
	"strconv"
	"strings"
)

// Temperature units of an Eaton sensor (NUT's TEMPERATURE_*).
const (
	tempUnknown = iota
	tempCelsius
	tempKelvin
	tempFahrenheit
)

// eatonTemperatureUnit is NUT's eaton_sensor_temperature_unit_fun: it
// keeps the sensors' unit for temperatureRead and publishes "celsius",
// the unit the temperatures are converted to.
func eatonTemperatureUnit(e *Engine, n int64) string {
	switch n {
	case 0:
		e.tempUnit = tempKelvin
	case 1:
		e.tempUnit = tempCelsius
	case 2:
		e.tempUnit = tempFahrenheit
	default:
		e.tempUnit = tempUnknown
	}
	return "celsius"
}

// temperatureRead is NUT's su_temperature_read_fun: tenths of a degree
// in the sensors' unit to whole degrees Celsius, cut toward zero as C
// casts them; "" while the unit is unknown.
func temperatureRead(e *Engine, n int64) string {
	switch e.tempUnit {
	case tempKelvin:
		return strconv.FormatInt(int64(float64(n/10)-273.15), 10)
	case tempCelsius:
		return strconv.FormatInt(n/10, 10)
	case tempFahrenheit:
		return strconv.FormatInt((n/10-32)*5/9, 10)
	}
	return ""
}

// usdateToISO is NUT's su_convert_to_iso_date_info: a US date
// (mm/dd/yyyy) as ISO 8601 (yyyy-mm-dd). Its one "dummy" line is what a
// writable variable with it lists as its enumeration, as NUT's does.
var usdateToISO = &Lookup{Values: []LookupValue{{1, "dummy"}}, Str: usdateISO}

// usdateISO is su_usdate_to_isodate_info_fun: glibc's strptime with
// "%m/%d/%Y" into a zeroed struct tm, then strftime "%F". Like strptime,
// it keeps the fields read before the first that does not fit, so a
// string that is no date at all gives "1900-01-00".
func usdateISO(s string) string {
	mon, day, year := 0, 0, 0 // tm_mon, tm_mday, tm_year + 1900 - 1900
	rest := s
	num := func(lo, hi, width int) (int, bool) {
		rest = strings.TrimLeft(rest, " \t\n\v\f\r")
		n, i := 0, 0
		for i < len(rest) && i < width && rest[i] >= '0' && rest[i] <= '9' {
			n = n*10 + int(rest[i]-'0')
			i++
		}
		if i == 0 || n < lo || n > hi {
			return 0, false
		}
		rest = rest[i:]
		return n, true
	}
	lit := func(c byte) bool {
		if rest == "" || rest[0] != c {
			return false
		}
		rest = rest[1:]
		return true
	}
	if m, ok := num(1, 12, 2); ok {
		mon = m - 1
		if lit('/') {
			if d, ok := num(1, 31, 2); ok {
				day = d
				if lit('/') {
					if y, ok := num(0, 9999, 4); ok {
						year = y - 1900
					}
				}
			}
		}
	}
	return fmt.Sprintf("%d-%02d-%02d", year+1900, mon+1, day)
}
