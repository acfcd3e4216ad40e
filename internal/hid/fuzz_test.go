package hid_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sysnut/sysnut/internal/hid"
)

// seeds are the real descriptors and reports of the recorded devices.
func seeds(f *testing.F) []*hid.NUTLog {
	files, _ := filepath.Glob("testdata/*.dev")
	var logs []*hid.NUTLog
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		l, err := hid.ReadNUTLog(bytes.NewReader(data))
		if err != nil {
			f.Fatal(err)
		}
		logs = append(logs, l)
	}
	return logs
}

// FuzzParse: no descriptor makes the parser panic, loop or keep more
// than its limits; every field it returns can be read from a report of
// the length it computed without running off the end.
func FuzzParse(f *testing.F) {
	for _, l := range seeds(f) {
		f.Add(l.Descriptor, []byte{1, 2, 3, 4})
	}
	f.Add([]byte{0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0x75, 0x20, 0x95, 0xff, 0x81, 0x02}, []byte{0})
	f.Fuzz(func(t *testing.T, desc, report []byte) {
		d, _ := hid.Parse(desc)
		if d == nil {
			return
		}
		if len(d.Fields) > hid.MaxFields {
			t.Fatalf("%d fields", len(d.Fields))
		}
		for i := range d.Fields {
			fl := &d.Fields[i]
			if len(fl.Path) > hid.MaxDepth {
				t.Fatalf("path of %d nodes", len(fl.Path))
			}
			buf := make([]byte, 1+d.ReportLen[fl.ReportID])
			copy(buf, report)
			if v, ok := fl.Logical(buf); ok {
				if fl.LogMin <= fl.LogMax && (v < fl.LogMin || v > fl.LogMax) {
					t.Fatalf("%v: %d outside %d..%d", fl.Path, v, fl.LogMin, fl.LogMax)
				}
				_ = fl.Physical(v)
				fl.SetLogical(buf, fl.Logicalize(fl.Physical(v)))
			}
		}
	})
}

// FuzzNUTLog: no log text makes the reader panic or hold more than the
// text it was given; a log without a descriptor gets one built that
// parses, of a size bounded by its Path lines.
func FuzzNUTLog(f *testing.F) {
	names := hid.NewNames(hid.StandardUsages)
	for _, file := range []string{"testdata/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev", "testdata/Ippon__Smart_Power_Pro_II_1200__usbhid-ups__2.7.4__01.dev"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:min(len(data), 6000)])
	}
	f.Add([]byte("Report Descriptor: (3 bytes) => 05\n 84 09\nReport[get]: (2 bytes) => 01 01\nPath: UPS, Type: Feature, ReportID: 0x01, Offset: 0, Size: 8, Value: 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := hid.ReadNUTLog(bytes.NewReader(data))
		if err != nil {
			return
		}
		n := len(l.Descriptor)
		for _, e := range l.Events {
			n += len(e.Report)
		}
		if n > len(data) {
			t.Fatalf("%d bytes decoded from %d bytes of text", n, len(data))
		}
		if l.Descriptor != nil {
			return
		}
		paths := 0
		for _, e := range l.Events {
			if e.Path != "" {
				paths++
			}
		}
		if err := l.Synthesize(names); err != nil {
			return
		}
		// Per field: its collections (a usage of up to 5 bytes and 2
		// each, 7 per node, a path no longer than its text), padding,
		// and its own 28 bytes of items.
		if limit := 7*len(data) + paths*(28+2*256); len(l.Descriptor) > limit {
			t.Fatalf("%d bytes of descriptor for %d Path lines in %d bytes", len(l.Descriptor), paths, len(data))
		}
		d, err := hid.Parse(l.Descriptor)
		if err != nil {
			t.Fatalf("built descriptor does not parse: %v", err)
		}
		for id, r := range l.Reports() {
			if len(r) != d.ReportLen[id]+1 {
				t.Fatalf("report %#02x: %d bytes, the descriptor says %d", id, len(r), d.ReportLen[id]+1)
			}
		}
	})
}
