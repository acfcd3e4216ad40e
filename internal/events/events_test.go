package events_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/events"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func history(t testing.TB) []events.Event {
	t.Helper()
	f, err := os.Open("testdata/journal.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := events.ParseJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return events.Build(entries)
}

// TestBuild: a journal of two boots (an outage that ended, a lost
// connection, a self-test, another UPS's battery warning, an outage that
// ended in this machine's shutdown, then a boot with two intervals still
// open) becomes the history a person expects; test notifications and
// unrelated entries are left out.
func TestBuild(t *testing.T) {
	t.Parallel()
	got, err := json.MarshalIndent(history(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		os.WriteFile("testdata/history.golden", got, 0o644)
	}
	want, err := os.ReadFile("testdata/history.golden")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("history differs (-update rewrites it):\n%s", got)
	}
	evs := history(t)
	if d := evs[0].Duration(time.Now()); evs[0].Kind != "outage" || d != 95500*time.Millisecond || evs[0].Details["lowest_charge"] != "87" {
		t.Errorf("first outage: %+v, %v", evs[0], d)
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	evs := history(t)
	t0 := time.UnixMicro(1796101200000000)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	for _, c := range []struct {
		name         string
		ups          string
		since, until time.Time
		want         string
	}{
		{"all", "", time.Time{}, time.Time{}, "outage communication-lost unavailable self-test replace-battery outage low-battery shutdown bypass outage"},
		{"by name", "myups", time.Time{}, time.Time{}, "outage communication-lost unavailable self-test outage low-battery shutdown bypass outage"},
		{"by ups@host", "other@10.0.0.2", time.Time{}, time.Time{}, "replace-battery shutdown"},
		// An outage that began before --since and ended after it is kept whole.
		{"since inside an outage", "myups", at(50), at(120), "outage communication-lost"},
		{"until before the second boot", "", time.Time{}, at(500), "outage communication-lost unavailable self-test replace-battery outage low-battery shutdown"},
		{"ongoing ones reach now", "", at(10000), time.Time{}, "bypass outage"},
	} {
		var kinds []string
		for _, e := range events.Filter(evs, c.ups, c.since, c.until) {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, " "); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestParseErrors: a broken line is an error naming the line, not a
// silently shorter history.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"{\"a\":\n", "{\"MESSAGE_ID\":\"" + events.NotifyID("ONBATT") + "\",\"__REALTIME_TIMESTAMP\":\"soon\"}\n"} {
		_, err := events.ParseJSON(strings.NewReader("\n" + in))
		if err == nil || !strings.Contains(err.Error(), "journal line 2") {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	seed, err := os.ReadFile("testdata/journal.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range bytes.Split(seed, []byte("\n")) {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := events.ParseJSON(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, e := range events.Build(entries) {
			if !e.End.IsZero() && e.End.Before(e.Start) {
				t.Fatalf("an event ends before it starts: %+v", e)
			}
		}
	})
}
