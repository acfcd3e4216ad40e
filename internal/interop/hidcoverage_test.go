package interop

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/hid"
)

// coverageDevice is a simulated UPS whose report descriptor has every
// usage path of a subdriver's table, one feature report each, with
// values drawn from seed: NUT's subdriver and ours then read every row
// of the table. Status rows get 0 or 1; rows with a value table get one
// of its values or, now and then, one it lacks; the rest a number.
func coverageDevice(t *testing.T, sub *usbhid.Subdriver, seed int64) *fakeUSB {
	t.Helper()
	names := hid.NewNames(sub.Usages, hid.StandardUsages)
	rng := rand.New(rand.NewSource(seed))
	type leaf struct {
		path  hid.Path
		bits  int
		value int64
	}
	byPath := map[string]*leaf{}
	flags := map[string]bool{} // status flags: the state every row agrees on
	for _, r := range sub.Rows {
		if byPath[r.Path] != nil {
			continue
		}
		p, err := names.Parse(r.Path)
		if err != nil {
			continue // a name no table has: NUT's row is dead, and ours
		}
		l := &leaf{path: p, bits: 16, value: rng.Int63n(3000)}
		switch {
		case r.Var == "BOOL":
			l.bits, l.value = 8, boolValue(r.Lookup, rng, flags)
		case r.Lookup != nil && r.Lookup.Indexed:
			// A string descriptor's index: 4 to 9, each a string the
			// device has (one longer than NUT's 19 characters), or now
			// and then 12, which it lacks.
			l.bits, l.value = 8, 4+rng.Int63n(6)
			if rng.Intn(6) == 0 {
				l.value = 12
			}
		case r.Lookup != nil && len(r.Lookup.Values) > 0:
			l.bits = 8
			vals := r.Lookup.Values
			if v := vals[rng.Intn(len(vals))].HID; v >= 0 && v < 256 && rng.Intn(5) > 0 {
				l.value = v
			} else {
				l.value = rng.Int63n(256)
			}
		}
		byPath[r.Path] = l
	}
	// Paths a subdriver reads outside its table: Eaton's model name
	// (mge_format_model), a string descriptor's index.
	if sub == usbhid.MGE {
		if p, err := names.Parse("UPS.PowerSummary.iModel"); err == nil && byPath["UPS.PowerSummary.iModel"] == nil {
			byPath["UPS.PowerSummary.iModel"] = &leaf{path: p, bits: 8, value: 6}
		}
	}
	keys := make([]string, 0, len(byPath))
	for k := range byPath {
		keys = append(keys, k)
	}
	// Sorted by their nodes, paths that share collections come together.
	sort.Slice(keys, func(i, j int) bool {
		a, b := byPath[keys[i]].path, byPath[keys[j]].path
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
	if len(keys) > 250 {
		t.Fatalf("%d paths: more than one report ID each can number", len(keys))
	}
	dev := &fakeUSB{VendorID: sub.Devices[0].Vendor, ProductID: sub.Devices[0].Product, BCD: 0x0100,
		Manufacturer: "Simulated", Product: "Coverage UPS", Serial: "SIM0001",
		Reports: map[uint8][]byte{}, Strings: map[int]string{4: "PbAc", 5: "LiFePO4", 6: "String six",
			7: "A string longer than nineteen characters", 8: "0123456789012345678", 9: "NiMH"}}
	// A feature report of its own for each path, numbered in the order
	// of the paths, so that paths which share collections share them in
	// the descriptor too.
	specs := make([]hid.Spec, 0, len(keys))
	for i, k := range keys {
		l := byPath[k]
		id := byte(i + 1)
		specs = append(specs, hid.Spec{Path: l.path, Type: hid.Feature, ReportID: id, Size: l.bits, LogMax: 1<<l.bits - 1})
		rep := []byte{id, byte(l.value)}
		if l.bits == 16 {
			rep = append(rep, byte(l.value>>8))
		}
		dev.Reports[id] = rep
	}
	desc, err := hid.Build(specs)
	if err != nil {
		t.Fatalf("coverage descriptor of %s: %v", sub.Name, err)
	}
	dev.Descriptor = desc
	// The descriptor must say what was meant: every path, as a field.
	d, err := hid.Parse(desc)
	if err != nil {
		t.Fatalf("coverage descriptor of %s: %v", sub.Name, err)
	}
	got := map[string]bool{}
	for _, f := range d.Fields {
		got[fmt.Sprint(f.Path)] = true
	}
	for _, k := range keys {
		if !got[fmt.Sprint(byPath[k].path)] {
			t.Fatalf("coverage descriptor of %s lacks %s", sub.Name, k)
		}
	}
	return dev
}

// boolValue is 0 or 1 for a status row, such that every row that sets
// the same flag (ACPresent, and Eaton's converter and on-battery bits,
// all set "online") agrees with the others: otherwise the status would
// depend on which rows the last poll read, in NUT as in ours.
func boolValue(l *usbhid.Lookup, rng *rand.Rand, flags map[string]bool) int64 {
	for _, v := range []int64{0, 1} {
		s, ok := l.Find(float64(v), &usbhid.Device{Memo: map[string]float64{}})
		if !ok {
			continue
		}
		name, clear := strings.CutPrefix(s, "!")
		want, seen := flags[name]
		if !seen {
			want = rng.Intn(2) == 1
			flags[name] = want
		}
		if want == !clear {
			return v
		}
	}
	return rng.Int63n(2)
}

// newerThanNUT are subdrivers NUT 2.8.0 does not have, so there is no
// usbhid-ups to compare them with; each is tested on its own in
// internal/driver/usbhid.
var newerThanNUT = map[*usbhid.Subdriver]string{
	usbhid.EcoFlow: "NUT's ecoflow-hid.c came after 2.8.0 (TestEcoFlowOnRecordedUPS)",
}

// TestUSBHIDSubdriversAsNUT gives NUT 2.8.0's usbhid-ups and ours, for
// each subdriver sysnut has, a UPS that has every usage path of its
// table, and compares what NUT's clients
// see, every instant command and every SET, byte for byte on the wire
// to the UPS.
func TestUSBHIDSubdriversAsNUT(t *testing.T) {
	compared := 0
	for _, sub := range usbhid.Subdrivers {
		if why := newerThanNUT[sub]; why != "" {
			t.Logf("%s not compared: %s", sub.Name, why)
			continue
		}
		compared++
		seed := int64(compared) // each compared subdriver keeps its device
		// The first product of the table, and one of each product whose
		// device table entry does something (NUT's hooks: scales, poll
		// only).
		ids := []usbhid.USBID{sub.Devices[0]}
		quirks := map[string]bool{sub.Devices[0].Quirk: true}
		for _, id := range sub.Devices {
			if !quirks[id.Quirk] {
				quirks[id.Quirk] = true
				ids = append(ids, id)
			}
		}
		for _, id := range ids {
			t.Run(fmt.Sprintf("%s/%04x:%04x", sub.Name, id.Vendor, id.Product), func(t *testing.T) {
				t.Parallel()
				dev := coverageDevice(t, sub, seed)
				dev.VendorID, dev.ProductID = id.Vendor, id.Product
				p := startUSBHIDPair(t, dev, " pollinterval = 1\n pollfreq = 2\n")
				p.words, p.oneWay = lookupWords(sub)
				p.better = map[string]string{}
				p.compare()
				p.commands()
				p.sets()
			})
		}
	}
}
