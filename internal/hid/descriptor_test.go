package hid_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
		// A log without a descriptor (NUT at -D) gets one built from its
		// Path lines: the same check then says the built fields are where
		// NUT saw them and read as NUT printed them (the last value of
		// each, which the built reports hold).
		last := map[string]int{}
		if log.Descriptor == nil {
			if err := log.Synthesize(names); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			for i, e := range log.Events {
				if e.Path != "" && e.HasValue {
					last[fmt.Sprint(e.Type, e.ReportID, e.Offset)] = i
				}
			}
		}
		d, err := hid.Parse(log.Descriptor)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if log.Objects >= 0 && !log.Synthesized && len(d.Fields) != log.Objects {
			t.Errorf("%s: %d fields, NUT found %d objects", file, len(d.Fields), log.Objects)
		}
		current := map[uint8][]byte{}
		if log.Synthesized {
			current = log.Reports()
		}
		checked := 0
		for i, e := range log.Events {
			if e.Report != nil {
				if !log.Synthesized {
					current[e.Report[0]] = e.Report
				}
				continue
			}
			if j, ok := last[fmt.Sprint(e.Type, e.ReportID, e.Offset)]; ok && j != i {
				continue // an earlier value of the field
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

// TestParseQuirksAsNUT: two places where NUT's parser does something a
// reading of the HID specification would not, and ours follows, because
// the same descriptor must give the same paths and reports as NUT's.
func TestParseQuirksAsNUT(t *testing.T) {
	t.Parallel()
	names := hid.NewNames(hid.StandardUsages)
	for _, tc := range []struct {
		name  string
		desc  []byte
		paths []string
		lens  map[uint8]int
	}{{
		// Closing an indexed collection (UPS.Flow.[4]) removes its
		// index and its usage: the next collection is UPS's sibling.
		name: "indexed collection",
		desc: []byte{
			0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, // UPS, application
			0x09, 0x1e, 0xa1, 0x84, // Flow, indexed [4]
			0x85, 0x01, 0x75, 0x08, 0x95, 0x01, 0x15, 0x00, 0x26, 0xff, 0x00,
			0x09, 0x40, 0xb1, 0x02, // ConfigVoltage
			0xc0,
			0x09, 0x24, 0xa1, 0x00, // PowerSummary
			0x85, 0x02, 0x09, 0x30, 0xb1, 0x02, // Voltage
			0xc0, 0xc0,
		},
		paths: []string{"UPS.Flow.[4].ConfigVoltage", "UPS.PowerSummary.Voltage"},
		lens:  map[uint8]int{1: 1, 2: 1},
	}, {
		// NUT keeps bit offsets in 8 bits: 23 values of 16 bits are a
		// 32-byte report to NUT (its buffer, and what it writes back).
		name: "offsets wrap at 256 bits",
		desc: []byte{
			0x05, 0x84, 0x09, 0x04, 0xa1, 0x01,
			0x85, 0x24, 0x75, 0x10, 0x95, 0x17, 0x15, 0x00, 0x27, 0xff, 0xff, 0x00, 0x00,
			0x09, 0x30, 0xb1, 0xa2, // Voltage, then 22 unnamed
			0xc0,
		},
		paths: []string{"UPS.Voltage"},
		lens:  map[uint8]int{0x24: 32},
	}} {
		d, err := hid.Parse(tc.desc)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, f := range d.Fields {
			got = append(got, names.String(f.Path))
		}
		if strings.Join(got, " ") != strings.Join(tc.paths, " ") {
			t.Errorf("%s: paths %q, want %q", tc.name, got, tc.paths)
		}
		for id, n := range tc.lens {
			if d.ReportLen[id] != n {
				t.Errorf("%s: report %#02x is %d bytes, NUT's is %d", tc.name, id, d.ReportLen[id], n)
			}
		}
	}
}
