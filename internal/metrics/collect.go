package metrics

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sysnut/sysnut/internal/snapshot"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// Options are nut_exporter's choices (its flags of the same names), and
// where upsmon publishes its state.
type Options struct {
	Server            snapshot.Server
	Namespace         string   // --metrics.namespace
	Variables         []string // --nut.vars_enable; empty: every number
	Statuses          []string // --nut.statuses: flags always exported
	On, Off           *regexp.Regexp
	DisableDeviceInfo bool   // --nut.disable_device_info
	StateFile         string // upsmon's state file; empty: none
}

// nut_exporter's defaults.
const (
	DefaultVariables = "battery.charge,battery.voltage,battery.voltage.nominal,input.voltage,input.voltage.nominal,ups.load,ups.status"
	DefaultStatuses  = "OL,OB,LB,HB,RB,CHRG,DISCHRG,BYPASS,CAL,OFF,OVER,TRIM,BOOST,FSD,SD"
	DefaultOnRegex   = "^(enable|enabled|on|true|active|activated)$"
	DefaultOffRegex  = "^(disable|disabled|off|false|inactive|deactivated)$"
	DefaultNamespace = "network_ups_tools"
)

// CompileRegex compiles an --nut.on_regex or --nut.off_regex as
// nut_exporter does: case-insensitive; empty means none.
func CompileRegex(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	return regexp.Compile("(?i)" + expr)
}

// SplitList splits a comma-separated option, dropping spaces and empty
// items, as nut_exporter does.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// exported says whether variable name is exported under these options.
func (o *Options) exported(name string) bool {
	return len(o.Variables) == 0 || slices.Contains(o.Variables, name)
}

// numberRE is go.nut's test for a number; one dot makes it a float.
var numberRE = regexp.MustCompile(`^-?[0-9.]+$`)

// value converts a NUT value the way nut_exporter (through go.nut) does:
// enabled/disabled, integers and decimals are numbers; any other string
// is 1 or 0 if the on or off regex matches it, and not exported if not.
func (o *Options) value(v string) (float64, bool) {
	switch v {
	case "enabled":
		return 1, true
	case "disabled":
		return 0, true
	}
	if numberRE.MatchString(v) {
		if strings.Count(v, ".") == 1 {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				return f, true
			}
		} else if i, err := strconv.ParseInt(v, 10, 64); err == nil {
			return float64(i), true
		}
	}
	if o.On != nil && o.On.MatchString(v) {
		return 1, true
	}
	if o.Off != nil && o.Off.MatchString(v) {
		return 0, true
	}
	return 0, false
}

// deviceLabels are nut_exporter's device_info labels, from device.*.
var deviceLabels = []string{"model", "mfr", "serial", "type", "description", "contact", "location", "part", "macaddr"}

// nameChars turns a variable's name into a metric name's, as nut_exporter.
var nameChars = strings.NewReplacer(".", "_", "-", "_")

// metricName is nut_exporter's name for a variable.
func (o *Options) metricName(v string) string {
	return prometheus.BuildFQName(o.Namespace, "", nameChars.Replace(v))
}

// emitter sends metrics, keeping one help text per family (the first),
// and drops what the client library refuses (a variable whose name is not
// a valid metric name) instead of failing the scrape.
type emitter struct {
	ch    chan<- prometheus.Metric
	help  map[string]string
	descs map[string]*prometheus.Desc
	ups   string // the ups label's value; empty: no ups label
}

func (e *emitter) desc(name, help string, labels ...string) *prometheus.Desc {
	key := name + "\x00" + strings.Join(labels, "\x00")
	if d, ok := e.descs[key]; ok {
		return d
	}
	if h, ok := e.help[name]; ok {
		help = h
	}
	e.help[name] = help
	if e.ups != "" {
		labels = append(labels, "ups")
	}
	d := prometheus.NewDesc(name, help, labels, nil)
	e.descs[key] = d
	return d
}

func (e *emitter) gauge(name, help string, v float64, labels ...string) {
	var keys, values []string
	for i := 0; i+1 < len(labels); i += 2 {
		keys = append(keys, labels[i])
		values = append(values, labels[i+1])
	}
	if e.ups != "" {
		values = append(values, e.ups)
	}
	if m, err := prometheus.NewConstMetric(e.desc(name, help, keys...), prometheus.GaugeValue, v, values...); err == nil {
		e.ch <- m
	}
}

// nutExporter emits what nut_exporter emits for one UPS.
func (o *Options) nutExporter(e *emitter, u *snapshot.UPSReading) {
	device := map[string]string{}
	for _, v := range u.Vars {
		if rest, ok := strings.CutPrefix(v.Name, "device."); ok {
			key, _, _ := strings.Cut(rest, ".")
			device[key] = v.Value
		}
		if !o.exported(v.Name) {
			continue
		}
		help := fmt.Sprintf("%s (%s)", u.Desc[v.Name], v.Name)
		if v.Name == "ups.status" {
			seen := map[string]bool{}
			for _, flag := range strings.Fields(v.Value) {
				if !seen[flag] {
					seen[flag] = true
					e.gauge(o.metricName(v.Name), help, 1, "flag", flag)
				}
			}
			for _, flag := range o.Statuses {
				if !seen[flag] {
					seen[flag] = true
					e.gauge(o.metricName(v.Name), help, 0, "flag", flag)
				}
			}
			continue
		}
		if f, ok := o.value(v.Value); ok {
			e.gauge(o.metricName(v.Name), help, f)
		}
	}
	if !o.DisableDeviceInfo {
		labels := make([]string, 0, 2*len(deviceLabels))
		for _, l := range deviceLabels {
			labels = append(labels, l, device[l])
		}
		e.gauge(prometheus.BuildFQName(o.Namespace, "", "device_info"), "UPS Device information", 1, labels...)
	}
}

// sysnutUPS emits sysnut's figures for one UPS.
func sysnutUPS(e *emitter, u *snapshot.UPSReading) {
	e.gauge("sysnut_ups_data_stale", "1 while upsd answers DATA-STALE for the UPS (its driver is silent or says the data is stale).", b2f(u.Stale))
	e.gauge("sysnut_ups_driver_connected", "0 while upsd answers DRIVER-NOT-CONNECTED for the UPS.", b2f(u.DriverConnected))
	if u.HasLogins {
		e.gauge("sysnut_ups_monitor_logins", "Monitors (upsmon) logged in to the UPS: upsd's NUMLOGINS.", float64(u.Logins))
	}
	if u.StatusChange > 0 {
		e.gauge("sysnut_ups_status_change_timestamp_seconds", "When ups.status (or its staleness) last changed as upsd saw it, in unix seconds; time() minus it is the time since.", u.StatusChange)
	}
}

// monitor emits upsmon's state.
func monitor(e *emitter, s *upsmon.State) {
	e.gauge("sysnut_monitor_shutting_down", "1 once upsmon has started shutting this machine down.", b2f(s.ShuttingDown))
	if at := s.ShutdownScheduledAt; at != nil {
		e.gauge("sysnut_monitor_shutdown_scheduled_timestamp_seconds", "When the power-off upsmon scheduled with logind (SCHEDULESHUTDOWN) happens, in unix seconds.", unix(*at))
	}
	for _, u := range s.UPS {
		name, _, _ := strings.Cut(u.System, "@")
		e.gauge("sysnut_monitor_ups_reachable", "1 while upsmon reads the UPS it MONITORs through upsd.", b2f(u.Reachable), "ups", name, "system", u.System)
		if at := u.OnBatterySince; at != nil {
			e.gauge("sysnut_monitor_on_battery_since_timestamp_seconds", "Since when upsmon sees the UPS on battery (its ONBATT), in unix seconds; absent on line power.", unix(*at), "ups", name, "system", u.System)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unix(t time.Time) float64 { return float64(t.UnixMilli()) / 1e3 }
