package events

import (
	"sort"
	"strings"
	"time"
)

// Event is one item of the history: an interval (an outage, a lost
// connection, time on bypass...) or a moment (low battery, a self-test
// result, a forced shutdown).
type Event struct {
	Kind   string    `json:"kind"`             // outage, communication-lost, bypass, ..., low-battery, self-test, ...
	UPS    string    `json:"ups,omitempty"`    // the UPS's name; empty for this machine's shutdown
	System string    `json:"system,omitempty"` // ups@host as upsmon monitors it; empty for a driver's entry
	Start  time.Time `json:"start"`
	// End is when the interval ended; zero for a moment, for one still
	// going on (Ongoing) and for one whose end the journal does not have
	// (EndedBy "reboot").
	End     time.Time `json:"end,omitzero"`
	Ongoing bool      `json:"ongoing,omitempty"`
	// EndedBy says what ended an interval: "" (its own end: mains,
	// communication back...), "shutdown" (this machine shut down during
	// it) or "reboot" (the boot ended without either).
	EndedBy string            `json:"ended_by,omitempty"`
	Message string            `json:"message"`
	Details map[string]string `json:"details,omitempty"`
}

// Duration is the length of an interval, up to now for an ongoing one;
// 0 for a moment or an unknown end.
func (e Event) Duration(now time.Time) time.Duration {
	switch {
	case e.Ongoing:
		return now.Sub(e.Start)
	case e.End.IsZero():
		return 0
	}
	return e.End.Sub(e.Start)
}

// intervals are the notification pairs that open and close an interval.
var intervals = map[string]struct{ kind, end string }{
	"ONBATT":  {"outage", "ONLINE"},
	"COMMBAD": {"communication-lost", "COMMOK"},
	"BYPASS":  {"bypass", "NOTBYPASS"},
	"OVER":    {"overload", "NOTOVER"},
	"TRIM":    {"trim", "NOTTRIM"},
	"BOOST":   {"boost", "NOTBOOST"},
	"CAL":     {"calibration", "NOTCAL"},
	"OFF":     {"off", "NOTOFF"},
	"ALARM":   {"alarm", "NOTALARM"},
	"ECO":     {"eco", "NOTECO"},
}

// moments are the notifications that are events of their own.
var moments = map[string]string{
	"LOWBATT":    "low-battery",
	"FSD":        "forced-shutdown",
	"SHUTDOWN":   "shutdown",
	"REPLBATT":   "replace-battery",
	"NOCOMM":     "unavailable",
	"TESTRESULT": "self-test",
}

// ends maps each notification that closes an interval to its kind.
var ends = func() map[string]string {
	m := map[string]string{}
	for _, iv := range intervals {
		m[iv.end] = iv.kind
	}
	return m
}()

// Build pairs entries (in journal order) into events, sorted by start.
func Build(entries []Entry) []Event {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Time.Before(entries[j].Time) })
	var out []Event
	type key struct{ kind, system string }
	type opened struct {
		i    int // in out
		boot string
	}
	open := map[key]opened{}
	closeWith := func(k key, at time.Time, by string) {
		i := open[k].i
		out[i].End, out[i].Ongoing, out[i].EndedBy = at, false, by
		delete(open, k)
	}
	for _, e := range entries {
		name, _, _ := strings.Cut(e.UPS, "@")
		system := e.UPS
		if e.Type == "TESTRESULT" {
			system = ""
		}
		// A new boot ends what the last one left open.
		for k, o := range open {
			if o.boot != e.Boot {
				closeWith(k, time.Time{}, "reboot")
			}
		}
		if iv, ok := intervals[e.Type]; ok {
			k := key{iv.kind, system}
			if _, dup := open[k]; dup {
				continue // upsmon restarted during it and announced it again
			}
			out = append(out, Event{Kind: iv.kind, UPS: name, System: system, Start: e.Time, Ongoing: true, Message: e.Message})
			open[k] = opened{len(out) - 1, e.Boot}
			continue
		}
		if kind, ok := ends[e.Type]; ok {
			k := key{kind, system}
			if o, ok := open[k]; ok {
				closeWith(k, e.Time, "")
				if v := e.Fields[FieldLowestCharge]; v != "" && kind == "outage" {
					detail(&out[o.i], "lowest_charge", v)
				}
			}
			continue
		}
		kind, ok := moments[e.Type]
		if !ok {
			continue
		}
		ev := Event{Kind: kind, UPS: name, System: system, Start: e.Time, Message: e.Message}
		switch kind {
		case "self-test":
			detail(&ev, "result", e.Fields[FieldTestResult])
		case "shutdown":
			ev.UPS, ev.System = "", ""
			for k := range open {
				closeWith(k, e.Time, "shutdown")
			}
		case "low-battery":
			if o, ok := open[key{"outage", system}]; ok {
				detail(&out[o.i], "low_battery", "yes")
			}
		}
		out = append(out, ev)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

func detail(e *Event, k, v string) {
	if e.Details == nil {
		e.Details = map[string]string{}
	}
	e.Details[k] = v
}

// Filter keeps the events that concern ups (its name or ups@host; all if
// empty) and overlap [since, until] (either may be zero: unbounded).
func Filter(evs []Event, ups string, since, until time.Time) []Event {
	var out []Event
	for _, e := range evs {
		if ups != "" && e.UPS != "" && e.UPS != ups && e.System != ups {
			continue
		}
		if ups != "" && e.UPS == "" && e.Kind != "shutdown" {
			continue
		}
		if !until.IsZero() && e.Start.After(until) {
			continue
		}
		end := e.End
		if end.IsZero() {
			end = e.Start
			if e.Ongoing {
				end = time.Unix(1<<62, 0)
			}
		}
		if !since.IsZero() && end.Before(since) {
			continue
		}
		out = append(out, e)
	}
	return out
}
