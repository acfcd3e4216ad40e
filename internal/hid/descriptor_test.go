package hid_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sysnut/sysnut/internal/hid"
)

// TestFieldsAsNUTPrintsThem replays NUT's own logs of real UPSes: every
// field NUT printed ("Path: ..., Type, ReportID, Offset, Size, Value") is
// one our parser finds at the same place, with the same name, and the
// value we compute from the report bytes NUT read just before is the one
// NUT printed.
func TestFieldsAsNUTPrintsThem(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/*.dev")
	if len(files) == 0 {
		t.Fatal("no recorded devices in testdata")
	}
	names := hid.NewNames(hid.StandardUsages)
	for _, file := range files {
		log := readLog(t, file)
		d, err := hid.Parse(log.Descriptor)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if log.Objects >= 0 && len(d.Fields) != log.Objects {
			t.Errorf("%s: %d fields, NUT found %d objects", file, len(d.Fields), log.Objects)
		}
		current := map[uint8][]byte{}
		checked := 0
		for _, e := range log.Events {
			if e.Report != nil {
				current[e.Report[0]] = e.Report
				continue
			}
			var f *hid.Field
			for i := range d.Fields {
				c := &d.Fields[i]
				if c.ReportID == e.ReportID && c.Type.String() == e.Type && c.Offset == e.Offset && c.Size == e.Size {
					f = c
					break
				}
			}
			if f == nil {
				t.Errorf("%s:%d: no field %s at report %#02x offset %d size %d", file, e.Line, e.Type, e.ReportID, e.Offset, e.Size)
				continue
			}
			if got := names.String(f.Path); got != e.Path {
				t.Errorf("%s:%d: path %q, NUT %q", file, e.Line, got, e.Path)
			}
			if !e.HasValue {
				continue
			}
			v, ok := f.Logical(current[e.ReportID])
			if !ok {
				t.Errorf("%s:%d: %s: report %x too short", file, e.Line, e.Path, current[e.ReportID])
				continue
			}
			if got := strconv.FormatFloat(f.Physical(v), 'g', 6, 64); got != e.Value {
				t.Errorf("%s:%d: %s = %s, NUT %s", file, e.Line, e.Path, got, e.Value)
			}
			checked++
		}
		t.Logf("%s: %d fields, %d values as NUT printed them", filepath.Base(file), len(d.Fields), checked)
		if checked == 0 {
			t.Errorf("%s: no values compared", file)
		}
	}
}

func readLog(t *testing.T, file string) *hid.NUTLog {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := hid.ReadNUTLog(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return l
}
