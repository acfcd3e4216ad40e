package snmp

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

type mapVars map[string]string

func (m mapVars) Set(n, v string)                 { m[n] = v }
func (m mapVars) Get(n string) (string, bool)     { v, ok := m[n]; return v, ok }
func (m mapVars) Delete(n string)                 { delete(m, n) }
func (m mapVars) SetType(string, bool, bool, int) {}
func (m mapVars) AddEnum(string, string)          {}
func (m mapVars) AddCmd(string)                   {}

// TestFormatsAsNUT: numbers come out as snmp-ups prints them (an integer
// when the multiplier leaves none, else two decimals of a C float), and
// strtol reads numeric strings as C does.
func TestFormatsAsNUT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value int64
		mult  float64
		want  string
	}{
		{545, 0.1, "54.50"}, {97, 1, "97"}, {45, 60, "2700"}, {-12, 0.1, "-1.20"}, {500, 0.1, "50"}, {501, 0.1, "50.10"},
	} {
		m := &Mapping{Name: "t", Table: []Info{{Var: "x", Len: tc.mult, OID: "1"}}}
		e := NewEngine(m, func(string) (Value, bool) { return Value{Kind: Integer, Int: tc.value}, true })
		v := mapVars{}
		e.Init(v)
		if v["x"] != tc.want {
			t.Errorf("%d x %g = %q, NUT prints %q", tc.value, tc.mult, v["x"], tc.want)
		}
	}
	for in, want := range map[string]int64{"42": 42, " -7x": -7, "0x1f": 31, "017": 15, "abc": 0, "": 0} {
		if got := strtol(in); got != want {
			t.Errorf("strtol(%q) = %d, C says %d", in, got, want)
		}
	}
}

// FuzzEngine: whatever an agent answers (type and value per OID, from
// the fuzzer), every mapping's walks neither panic nor publish a status
// word its status lookups do not have.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 'O', 'K'})
	f.Fuzz(func(t *testing.T, data []byte) {
		get := func(oid string) (Value, bool) {
			if len(data) == 0 {
				return Value{}, false
			}
			i := len(oid) % len(data)
			kind := Kind(data[i] % 6)
			var n int64
			if len(data) >= 8 {
				n = int64(binary.LittleEndian.Uint64(data[(i % (len(data) - 7)):]))
			}
			switch kind {
			case Octets:
				return Value{Kind: Octets, Str: string(data[i:])}, true
			case ObjectID:
				return Value{Kind: ObjectID, Str: ".1.3.6" + strings.Repeat(".1", int(data[i]%4))}, true
			case Other + 1:
				return Value{}, false
			}
			return Value{Kind: kind, Int: n}, true
		}
		for _, m := range Mappings {
			words := map[string]bool{"ALARM": true}
			for _, in := range m.Table {
				if in.Var == "ups.status" && in.Lookup != nil {
					for _, l := range in.Lookup.Values {
						for _, w := range strings.Fields(l.Text) {
							words[w] = w != endText
						}
					}
				}
			}
			for _, a := range m.Alarms {
				words[a.Status] = true
			}
			e := NewEngine(m, get)
			e.Walk = func(oid string) []Walked {
				var w []Walked
				for i, b := range data {
					w = append(w, Walked{OID: oid, Value: Value{Kind: Kind(b % 6), Str: ".1.3.6.1.4.1.534.1.7." + strconv.Itoa(int(b)%50), Int: int64(i)}})
				}
				return w
			}
			v := mapVars{}
			e.InitUPS(v)
			e.Init(v)
			e.Update(v)
			e.Update(v)
			for _, w := range strings.Fields(v["ups.status"]) {
				if !words[w] {
					t.Fatalf("%s: ups.status %q", m.Name, v["ups.status"])
				}
			}
		}
	})
}

// TestSetAsNUT: what su_setOID sends for commands and SETs of the IETF
// table.
func TestSetAsNUT(t *testing.T) {
	t.Parallel()
	e := NewEngine(IETF, func(string) (Value, bool) { return Value{Kind: Integer, Int: 1}, true })
	v := mapVars{}
	e.Init(v)
	type sent struct {
		oid   string
		kind  byte
		value string
	}
	for _, tc := range []struct {
		name, value string
		has, cmd    bool
		want        *sent
		result      int
	}{
		{"beeper.disable", "", false, true, &sent{"1.3.6.1.2.1.33.1.9.8.0", 'i', "1"}, SetHandled},
		{"load.off", "", false, true, &sent{"1.3.6.1.2.1.33.1.8.2.0", 'i', "0"}, SetHandled},
		{"load.off", "x", true, true, nil, SetInvalid},
		{"ups.timer.shutdown", "30", true, false, &sent{"1.3.6.1.2.1.33.1.8.2.0", 's', "30"}, SetHandled},
		{"device.contact", "ops", true, false, &sent{".1.3.6.1.2.1.1.4.0", 's', "ops"}, SetHandled},
		{"no.such.thing", "1", true, false, nil, SetUnknown},
	} {
		var got *sent
		r := e.Set(v, func(oid string, kind byte, value string) bool {
			got = &sent{oid, kind, value}
			return true
		}, tc.name, tc.value, tc.has, tc.cmd)
		if r != tc.result || (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%s %q: result %d, sent %+v; NUT: %d, %+v", tc.name, tc.value, r, got, tc.result, tc.want)
		}
	}
}

// TestNoTransferOIDsAsNUT: with notransferoids, as in NUT's snmp-ups, the
// first walk reads input.transfer.low and .high like every entry and the
// later walks leave them as they were; symmetrathreephase publishes them
// line-to-neutral (times 0.707) where the mapping reads them as strings.
func TestNoTransferOIDsAsNUT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		noTransfer, sym3 bool
		first, later     string // input.transfer.high after the first walk and after a change
	}{
		{"plain", false, false, "253", "264"},
		{"notransferoids", true, false, "253", "253"},
		{"symmetrathreephase", false, true, "178.87", "186.65"},
		{"both", true, true, "178.87", "178.87"},
	} {
		agent := map[string]int64{"1.1": 253, "1.2": 196, "1.3": 97}
		m := &Mapping{Name: "t", Table: []Info{
			{Var: "input.transfer.high", OID: "1.1", String: true},
			{Var: "input.transfer.low", OID: "1.2", String: true},
			{Var: "battery.charge", OID: "1.3", Len: 1},
		}}
		e := NewEngine(m, func(oid string) (Value, bool) {
			n, ok := agent[oid]
			return Value{Kind: Integer, Int: n}, ok
		})
		e.NoTransferOIDs, e.SymmetraThreePhase = tc.noTransfer, tc.sym3
		v := mapVars{}
		e.Init(v)
		if v["input.transfer.high"] != tc.first {
			t.Errorf("%s: first walk: input.transfer.high %q, want %q", tc.name, v["input.transfer.high"], tc.first)
		}
		agent["1.1"], agent["1.2"], agent["1.3"] = 264, 190, 80
		e.Update(v)
		if v["input.transfer.high"] != tc.later {
			t.Errorf("%s: later walk: input.transfer.high %q, want %q", tc.name, v["input.transfer.high"], tc.later)
		}
		if v["battery.charge"] != "80" {
			t.Errorf("%s: battery.charge %q after the change", tc.name, v["battery.charge"])
		}
	}
}

// TestUSDateAsGlibc: the dates glibc's strptime and strftime give NUT
// (printed by a C program on Debian 12 for these inputs).
func TestUSDateAsGlibc(t *testing.T) {
	for in, want := range map[string]string{
		"01/15/2020":      "2020-01-15",
		"1/2/99":          "99-01-02",
		"12/31/abc":       "1900-12-31",
		"battery.date 45": "1900-01-00",
		" 3/ 4/ 2021":     "2021-03-04",
		"13/01/2020":      "1900-01-00",
		"02/30/2020x":     "2020-02-30",
		"06/07/12345":     "1234-06-07",
	} {
		if got := usdateISO(in); got != want {
			t.Errorf("usdateISO(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTemplatesAsNUT: process_template's numbering, counting and
// commands, on the pw table.
func TestTemplatesAsNUT(t *testing.T) {
	t.Parallel()
	const row = ".1.3.6.1.4.1.534.1.12.2.1.1." // xupsRecepIndex.N
	t.Run("count believed, within bounds", func(t *testing.T) {
		e := NewEngine(Powerware, func(oid string) (Value, bool) { return Value{Kind: Integer, Int: 1e9}, true })
		v := mapVars{}
		e.Init(v)
		if v["outlet.count"] != "1000000000" || v["outlet.255.status"] == "" || v["outlet.256.status"] != "" {
			t.Errorf("outlet.count %q, outlet.255 %q, outlet.256 %q: want the agent's count, rows 0-255 read", v["outlet.count"], v["outlet.255.status"], v["outlet.256.status"])
		}
	})
	t.Run("counted from the first row that answers", func(t *testing.T) {
		// No outlet.count; rows 2 to 4 only: NUT counts from row 1 (0
		// does not answer) and finds none; its numbering then starts
		// at 2, where its search for a first row ran out.
		e := NewEngine(Powerware, func(oid string) (Value, bool) {
			if n, ok := strings.CutPrefix(oid, row); ok && n >= "2" && n <= "4" && len(n) == 1 {
				return Value{Kind: Integer, Int: 7}, true
			}
			return Value{}, false
		})
		v := mapVars{}
		e.Init(v)
		if _, ok := v["outlet.count"]; ok {
			t.Errorf("outlet.count %q published for a table that does not start at 0 or 1", v["outlet.count"])
		}
		v["outlet.count"] = "2"
		e.Init(v)
		if v["outlet.2.id"] != "7" || v["outlet.3.id"] != "7" || v["outlet.1.id"] != "" {
			t.Errorf("with outlet.count 2: %v, want outlets 2 and 3", v)
		}
	})
	t.Run("outlet commands", func(t *testing.T) {
		e := NewEngine(Powerware, func(oid string) (Value, bool) {
			if oid == ".1.3.6.1.4.1.534.1.12.1.0" {
				return Value{Kind: Integer, Int: 2}, true
			}
			return Value{Kind: Integer, Int: 1}, true
		})
		v := mapVars{}
		e.Init(v)
		var sent []string
		set := func(oid string, kind byte, value string) bool {
			sent = append(sent, fmt.Sprintf("%s %c %s", oid, kind, value))
			return true
		}
		for _, tc := range []struct {
			name, value string
			has         bool
			want        int
			sent        string
		}{
			{"outlet.2.load.off", "", false, SetHandled, ".1.3.6.1.4.1.534.1.12.2.1.3.2 i 0"},
			{"outlet.1.load.on.delay", "30", true, SetHandled, ".1.3.6.1.4.1.534.1.12.2.1.4.1 i 30"},
			{"outlet.1.load.on.delay", "", false, SetInvalid, ""}, // no default: NUT wants a value
			{"outlet.3.load.off", "", false, SetInvalid, ""},      // beyond outlet.count
			{"outlet.1.nosuch", "", false, SetUnknown, ""},        // NUT crashes here
			{"outlet.count", "", false, SetUnknown, ""},           // and here
		} {
			sent = nil
			if got := e.Set(v, set, tc.name, tc.value, tc.has, true); got != tc.want || strings.Join(sent, "") != tc.sent {
				t.Errorf("%s %q: %d, sent %q; want %d, %q", tc.name, tc.value, got, sent, tc.want, tc.sent)
			}
		}
	})
}
