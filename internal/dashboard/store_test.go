package dashboard

import (
	"bytes"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sample(t time.Time, charge float32, status string) Sample {
	nan := float32(math.NaN())
	return Sample{Time: t, Values: [6]float32{charge, 600, 20, 230, nan, 13.5}, Flags: StatusFlags(status)}
}

// TestStoreKeepsAndReopens: samples come back in order from the recent
// ring, the past ring holds their 5-minute averages with every status
// seen, and both survive a restart; the file has its fixed size.
func TestStoreKeepsAndReopens(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(PastStep)
	start := now.Add(-10 * time.Minute)
	for i := 0; i < 60; i++ { // 10 minutes at 10 s
		status := "OL"
		if i >= 30 {
			status = "OB DISCHRG"
		}
		if err := st.Add("my ups/1", sample(start.Add(time.Duration(i)*RecentStep), float32(100-i), status)); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	info, err := os.Stat(filepath.Join(dir, "my%20ups%2f1.history"))
	if err != nil || info.Size() != FileSize {
		t.Fatalf("history file: %v %v", info, err)
	}
	st, _ = OpenStore(dir, slog.New(slog.DiscardHandler))
	defer st.Close()
	got, step, err := st.Range("my ups/1", start, now)
	if err != nil || step != RecentStep || len(got) != 60 {
		t.Fatalf("recent: %d samples, step %v, %v", len(got), step, err)
	}
	if got[0].Values[0] != 100 || got[59].Values[0] != 41 || !got[59].Time.Equal(now.Add(-RecentStep).UTC()) {
		t.Errorf("recent samples: first %+v last %+v", got[0], got[59])
	}
	past, step, err := st.Range("my ups/1", now.Add(-48*time.Hour), now)
	if err != nil || step != PastStep || len(past) != 2 {
		t.Fatalf("past: %d samples, step %v, %v", len(past), step, err)
	}
	// The first window: charges 100..71, average 85.5, on line only; the
	// second: 70..41, on battery.
	if past[0].Values[0] != 85.5 || past[0].Flags != StatusFlags("OL") || past[1].Values[0] != 55.5 || past[1].Flags != StatusFlags("OB DISCHRG") {
		t.Errorf("past: %+v", past)
	}
	if !math.IsNaN(float64(past[0].Values[4])) || past[0].Values[5] != 13.5 {
		t.Errorf("a value the UPS lacks must stay absent: %v", past[0].Values)
	}
}

// TestStoreRingWraps: a slot reused a day later holds the new sample,
// and a range never returns the old one.
func TestStoreRingWraps(t *testing.T) {
	st, _ := OpenStore(t.TempDir(), slog.New(slog.DiscardHandler))
	defer st.Close()
	now := time.Now().Truncate(RecentStep)
	old := now.Add(-RecentSlots * RecentStep) // the same slot, a day ago
	st.Add("u", sample(old, 10, "OL"))
	st.Add("u", sample(now, 90, "OL"))
	got, _, _ := st.Range("u", now.Add(-time.Hour), now)
	if len(got) != 1 || got[0].Values[0] != 90 {
		t.Errorf("after the wrap: %+v", got)
	}
}

// TestStoreMovesForeignFileAside: a file that is not a history is kept
// under another name, never overwritten, and a new history begins.
func TestStoreMovesForeignFileAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "u.history")
	os.WriteFile(path, []byte("precious"), 0o644)
	var logs bytes.Buffer
	st, _ := OpenStore(dir, slog.New(slog.NewTextHandler(&logs, nil)))
	defer st.Close()
	if err := st.Add("u", sample(time.Now(), 50, "OL")); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(path + ".bad-*")
	if len(matches) != 1 {
		t.Fatalf("moved aside: %v", matches)
	}
	if b, _ := os.ReadFile(matches[0]); string(b) != "precious" {
		t.Errorf("the foreign file changed: %q", b)
	}
	if !strings.Contains(logs.String(), "history file replaced") || !strings.Contains(logs.String(), "u.history") {
		t.Errorf("not said: %s", logs.String())
	}
}

// FuzzHistoryFile: no file content makes loading or reading panic; a
// record is only ever taken from its own slot.
func FuzzHistoryFile(f *testing.F) {
	dir := f.TempDir()
	st, _ := OpenStore(dir, slog.New(slog.DiscardHandler))
	now := time.Now()
	st.Add("u", sample(now, 50, "OL"))
	st.Close()
	good, _ := os.ReadFile(filepath.Join(dir, "u.history"))
	f.Add(good[:headerSize+2*recordSize], 0)
	f.Add([]byte("SYSNUTH1"), 3)
	f.Fuzz(func(t *testing.T, head []byte, at int) {
		data := make([]byte, FileSize)
		copy(data, good)
		if at < 0 {
			at = -at
		}
		copy(data[at%FileSize:], head)
		path := filepath.Join(t.TempDir(), "u.history")
		os.WriteFile(path, data, 0o644)
		h, err := openHistory(path)
		if h == nil {
			return
		}
		defer h.f.Close()
		_ = err
		for i, r := range h.recent {
			if !r.Time.IsZero() && slot(r.Time, RecentStep, RecentSlots) != i {
				t.Fatalf("slot %d holds a record of slot %d", i, slot(r.Time, RecentStep, RecentSlots))
			}
		}
		if _, _, err := h.rangeOf(now.Add(-400*24*time.Hour), now); err != nil {
			t.Fatal(err)
		}
	})
}
