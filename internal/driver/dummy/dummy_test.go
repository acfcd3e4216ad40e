package dummy

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/state"
)

func TestParse(t *testing.T) {
	t.Parallel()
	got, err := Parse("x.dev", []byte("ups.status: OB  LB\nbattery.charge:   5\nTIMER 2.5\ndriver.name: hack\nups.serial:glued tail\nups.id: \"a # b\"\nups.delete:\n# comment\n\n"))
	if err == nil || !strings.Contains(err.Error(), "x.dev:6:") {
		t.Fatalf("want the quoted # on line 6 reported, got %v", err)
	}
	want := []Entry{
		{Line: 1, Var: "ups.status", Value: "OB LB"},
		{Line: 2, Var: "battery.charge", Value: "5"},
		{Line: 3, Timer: 2500 * time.Millisecond},
		{Line: 5, Var: "ups.serial", Value: "tail"},
		{Line: 7, Var: "ups.delete", Value: ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{"novalue\n", "TIMER\n", "TIMER -1\n", "TIMER x\n", "bad name: 1\n"} {
		if _, err := Parse("b.seq", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "b.seq:1:") {
			t.Errorf("Parse(%q) error = %v", bad, err)
		}
	}
}

func TestFlagsLikeNUT(t *testing.T) {
	t.Parallel()
	// As NUT 2.8.0's dummy-ups declares them (its nut_data table): the
	// interop test compares GET TYPE with NUT's own driver.
	for name, want := range map[string]varInfo{
		"battery.charge": {state.RW, 0}, "input.voltage": {state.RW, 0}, "ups.delay.shutdown": {state.RW, 0},
		"ups.status": {state.RW | state.String, 32}, "ups.id": {state.RW | state.String, 16},
		"input.quality": {state.RW | state.String, 6}, "ups.temperature": {state.RW, 0},
		"foo.bar": {state.RW | state.String, 32}, "ups.beeper.status": {state.RW | state.String, 32},
		"Battery.Charge": {state.RW, 0},
	} {
		if got := infoOf(name); got != want {
			t.Errorf("infoOf(%q) = %+v, want %+v", name, got, want)
		}
	}
}

// harness builds a dummy driver on a file in a temp dir.
func harness(t *testing.T, file, content string) (*Dummy, *driver.State, *time.Time) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	ups := &config.UPS{Name: "sim", Driver: "dummy-ups", Port: file,
		Params: []config.Param{{Key: "port", Value: file}, {Key: "override.ups.mfr", Value: "Pinned"}, {Key: "default.battery.runtime", Value: "600"}}}
	p, err := New(driver.Params{UPS: ups, ConfDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	d := p.(*Dummy)
	now := time.Unix(1e9, 0)
	d.now = func() time.Time { return now }
	s := driver.NewTestState(d, ups)
	if err := d.Connect(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	s.CopyIdentity() // as the driver loop does after its first reading
	return d, s, &now
}

func get(s *driver.State, name string) string { v, _ := s.Get(name); return v }

func TestSequenceLoops(t *testing.T) {
	t.Parallel()
	seq, _ := os.ReadFile("testdata/cycle.seq")
	d, s, now := harness(t, "cycle.seq", string(seq))
	ctx := context.Background()
	var seen []string
	for i := 0; i < 8; i++ {
		if err := d.Poll(ctx, s); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, get(s, "ups.status")+"/"+get(s, "battery.charge"))
		*now = now.Add(3 * time.Second) // two polls per 5 s TIMER step
	}
	want := []string{"OL/100", "OL/100", "OB/50", "OB/50", "OB LB/10", "OB LB/10", "OL/100", "OL/100"}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("sequence = %v\nwant %v", seen, want)
	}
	if get(s, "ups.mfr") != "Pinned" || get(s, "device.mfr") != "Pinned" {
		t.Errorf("override.ups.mfr not pinned: %q", get(s, "ups.mfr"))
	}
	if get(s, "battery.runtime") != "600" {
		t.Errorf("default.battery.runtime = %q", get(s, "battery.runtime"))
	}
}

func TestDevReloadsOnChange(t *testing.T) {
	t.Parallel()
	d, s, _ := harness(t, "ups.dev", "ups.status: OL\nbattery.charge: 100\nbattery.runtime: 1200\n")
	ctx := context.Background()
	if get(s, "ups.status") != "OL" || get(s, "battery.runtime") != "1200" || get(s, "ups.model") != "Dummy UPS" {
		t.Fatalf("initial: %q %q", get(s, "ups.status"), get(s, "battery.runtime"))
	}
	path := d.path
	if err := os.WriteFile(path, []byte("ups.status: OB LB\nbattery.charge: 4\nbattery.runtime:\nups.model: Other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(path, later, later)
	if err := d.Poll(ctx, s); err != nil {
		t.Fatal(err)
	}
	if get(s, "ups.status") != "OB LB" || get(s, "battery.charge") != "4" {
		t.Errorf("not reloaded: %q %q", get(s, "ups.status"), get(s, "battery.charge"))
	}
	if get(s, "ups.model") != "Other" || get(s, "device.model") != "Dummy UPS" {
		t.Errorf("device.model follows ups.model after the start (NUT copies it once): ups.model %q, device.model %q",
			get(s, "ups.model"), get(s, "device.model"))
	}
	if get(s, "battery.runtime") != "600" {
		t.Errorf("an empty value deletes, falling back to default.*: %q", get(s, "battery.runtime"))
	}
	// A broken file is an error naming the line; the old values stay.
	os.WriteFile(path, []byte("ups.status: OL\nnonsense\n"), 0o644)
	later = later.Add(time.Minute)
	os.Chtimes(path, later, later)
	if err := d.Poll(ctx, s); err == nil || !strings.Contains(err.Error(), "ups.dev:2:") {
		t.Errorf("broken file: %v", err)
	}
	if get(s, "ups.status") != "OB LB" {
		t.Errorf("broken file changed values: %q", get(s, "ups.status"))
	}
}

func TestFlagsPublished(t *testing.T) {
	t.Parallel()
	_, s, _ := harness(t, "ups.dev", "ups.status: OL\nbattery.charge: 100\n")
	var sf, nf state.Flags
	var aux int
	s.Update(func(v *driver.Vars) {
		sf, aux = v.Get("ups.status").Flags, v.Get("ups.status").Aux
		nf = v.Get("battery.charge").Flags
	})
	if sf != state.RW|state.String || aux != 32 || nf != state.RW {
		t.Errorf("flags: status %v/%d, charge %v", sf, aux, nf)
	}
}

func FuzzParse(f *testing.F) {
	seq, _ := os.ReadFile("testdata/cycle.seq")
	f.Add(seq)
	f.Add([]byte("a: \"b\\\"c\"\nTIMER 1e9\n:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse("f.dev", data)
		if err != nil {
			for _, l := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(l, "f.dev") {
					t.Fatalf("error without file name: %q", l)
				}
			}
		}
		for _, e := range entries {
			if e.Timer < 0 || (e.Timer == 0 && !validName(e.Var)) || e.Var == "" && e.Timer == 0 {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}
