package upsctl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/upsbus"
)

// ParseTime reads a --since/--until value the way journalctl users write
// them: "2026-11-30", "2026-11-30 18:00[:05]", "today", "yesterday",
// "now", "-2h" or "+30min" (s, min, h, d, w), "@UNIXTIME"; local time.
func ParseTime(v string, now time.Time) (time.Time, error) {
	midnight := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()) }
	switch v {
	case "now":
		return now, nil
	case "today":
		return midnight(now), nil
	case "yesterday":
		return midnight(now).AddDate(0, 0, -1), nil
	case "tomorrow":
		return midnight(now).AddDate(0, 0, 1), nil
	}
	if rest, ok := strings.CutPrefix(v, "@"); ok {
		f, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a unix time", v)
		}
		return time.UnixMilli(int64(f * 1000)), nil
	}
	if v != "" && (v[0] == '-' || v[0] == '+') {
		d, err := span(v[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: %w", v, err)
		}
		if v[0] == '-' {
			d = -d
		}
		return now.Add(d), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", "2006-01-02T15:04:05", "15:04:05", "15:04"} {
		t, err := time.ParseInLocation(layout, v, now.Location())
		if err != nil {
			continue
		}
		if !strings.Contains(layout, "-") { // a time of today
			t = time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), t.Second(), 0, now.Location())
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot read time %q (e.g. \"2026-11-30 18:00\", \"yesterday\", \"-2h\")", v)
}

// span reads a systemd time span: "2h", "30min", "1h30min", "2d", "1w".
func span(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		d      time.Duration
	}{{"min", time.Minute}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}}
	var total time.Duration
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, errors.New("empty time span")
	}
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("bad time span at %q", s)
		}
		n, _ := strconv.Atoi(s[:i])
		s = s[i:]
		matched := false
		for _, u := range units {
			if strings.HasPrefix(s, u.suffix) {
				total += time.Duration(n) * u.d
				s = s[len(u.suffix):]
				matched = true
				break
			}
		}
		if !matched {
			if s != "" {
				return 0, fmt.Errorf("unknown unit at %q (s, min, h, d, w)", s)
			}
			total += time.Duration(n) * time.Second
		}
	}
	return total, nil
}

// Duration writes d as systemd does: "1h 2min 3s", "45s", "250ms".
func Duration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		name string
		d    time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"min", time.Minute}, {"s", time.Second}} {
		if n := d / u.d; n > 0 {
			parts = append(parts, fmt.Sprintf("%d%s", n, u.name))
			d -= n * u.d
		}
	}
	return strings.Join(parts, " ")
}

// jsonEvent is an event in upsctl events -o json.
type jsonEvent struct {
	events.Event
	DurationSeconds *float64 `json:"duration_seconds,omitempty"`
}

func (c *ctl) events(ctx context.Context) error {
	var list []upsbus.Event
	usec := func(t time.Time) uint64 {
		if t.IsZero() {
			return 0
		}
		return uint64(t.UnixMicro())
	}
	if err := c.manager().CallWithContext(ctx, upsbus.ManagerIface+".ListEvents", 0, usec(c.opts.since), usec(c.opts.until), c.opts.ups).Store(&list); err != nil {
		return fmt.Errorf("failed to list events: %w", describe(err))
	}
	now := time.Now()
	if c.opts.json {
		out := make([]jsonEvent, 0, len(list))
		for _, b := range list {
			e := jsonEvent{Event: upsbus.FromBus(b)}
			if !e.End.IsZero() || e.Ongoing {
				d := e.Duration(now).Seconds()
				e.DurationSeconds = &d
			}
			out = append(out, e)
		}
		return c.printJSON(out)
	}
	if len(list) == 0 {
		fmt.Fprintln(c.out, "No events.")
		return nil
	}
	stamp := func(t time.Time) string { return t.Local().Format("Mon 2006-01-02 15:04:05 MST") }
	w := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "EVENT\tUPS\tSTART\tEND\tDURATION\tDETAILS")
	for _, b := range list {
		e := upsbus.FromBus(b)
		end, dur := "-", "-"
		switch {
		case e.Ongoing:
			end, dur = "ongoing", Duration(e.Duration(now))
		case e.EndedBy == "reboot":
			end = "unknown (reboot)"
		case !e.End.IsZero():
			end, dur = stamp(e.End), Duration(e.Duration(now))
			if e.EndedBy == "shutdown" {
				end += " (shutdown)"
			}
		}
		ups := e.System
		if ups == "" {
			ups = e.UPS
		}
		if ups == "" {
			ups = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Kind, ups, stamp(e.Start), end, dur, details(e))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "\n%d events listed.\n", len(list))
	return nil
}

// details says an event's particulars in words.
func details(e events.Event) string {
	var out []string
	if v := e.Details["lowest_charge"]; v != "" {
		out = append(out, "lowest charge "+v+"%")
	}
	if e.Details["low_battery"] == "yes" {
		out = append(out, "battery ran low")
	}
	if v := e.Details["result"]; v != "" {
		out = append(out, v)
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}
