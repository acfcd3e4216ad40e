package interop

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/registry"
	"github.com/sysnut/sysnut/internal/driver/snmp"
	"github.com/sysnut/sysnut/internal/nutref"
)

// snmpStates are the UPS states every mapping is compared in: the words
// its status lookups are steered to give.
var snmpStates = []struct {
	name string
	want []string
}{
	{"OL", []string{"OL"}},
	{"OB", []string{"OB"}},
	{"OB LB", []string{"OB", "LB"}},
	{"bypass", []string{"OL", "BYPASS"}},
	{"overload", []string{"OL", "OVER"}},
}

// coverageRecording is an snmpsim recording of an agent that has every
// OID of m's table, for a UPS in the state want: each status or alarm
// OID holds the value whose text fits want best (or none that the
// lookup knows), every other lookup OID a value it names, strings their
// variable's name and numbers a value of their own.
func coverageRecording(m *snmp.Mapping, want []string) []byte {
	type rec struct{ oid, typ, value string }
	var recs []rec
	seen := map[string]bool{}
	add := func(oid, typ, value string) {
		oid = strings.TrimPrefix(oid, ".")
		if oid == "" || strings.Contains(oid, "%") || seen[oid] {
			return
		}
		seen[oid] = true
		recs = append(recs, rec{oid, typ, value})
	}
	add("1.3.6.1.2.1.1.1.0", "4", "sysnut coverage agent for "+m.Name)
	if m.SysOID != "" {
		add("1.3.6.1.2.1.1.2.0", "6", strings.TrimPrefix(m.SysOID, "."))
	} else {
		add("1.3.6.1.2.1.1.2.0", "6", "1.3.6.1.4.1.8072.3.2.10")
	}
	for i, in := range m.Table {
		if strings.Contains(in.OID, "%i") {
			// Two outlets or sensors, numbered from 1 as the cards do.
			for n := 1; n <= 2; n++ {
				in := in
				in.OID = strings.ReplaceAll(in.OID, "%i", strconv.Itoa(n))
				in.Var = strings.ReplaceAll(in.Var, "%i", strconv.Itoa(n))
				add(coverageValue(in, i+n, want))
			}
			continue
		}
		add(coverageValue(in, i, want))
	}
	// The alarm table's rows name the alarms (by OID) that fit want:
	// each whose status word is wanted, and on line one without a
	// status word (an alarm alone).
	if at := alarmsOID(m); at != "" {
		var row int
		for _, a := range m.Alarms {
			if a.Status != "" && slices.Contains(want, a.Status) || a.Status == "" && row == 0 && slices.Equal(want, []string{"OL"}) {
				row++
				add(fmt.Sprintf("%s.2.1.2.%d", strings.TrimSuffix(at, ".1.0"), row), "6", strings.TrimPrefix(a.OID, "."))
			}
		}
		add(at, "2", strconv.Itoa(row))
	}
	slices.SortFunc(recs, func(a, b rec) int { return compareOIDs(a.oid, b.oid) })
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "%s|%s|%s\n", r.oid, r.typ, r.value)
	}
	return []byte(b.String())
}

// alarmsOID is the OID of a table's ups.alarms entry (how many alarms
// are present, just before the alarm table), "" without one.
func alarmsOID(m *snmp.Mapping) string {
	for _, in := range m.Table {
		if in.Var == "ups.alarms" {
			return strings.TrimPrefix(in.OID, ".")
		}
	}
	return ""
}

// coverageValue is what the coverage agent holds for the i-th entry of a
// table (see coverageRecording); no OID for what it does not hold.
func coverageValue(in snmp.Info, i int, want []string) (oid, typ, value string) {
	switch {
	case in.OID == "" || in.Var == "ups.alarms":
		return "", "", ""
	case strings.HasSuffix(in.Var, ".count"):
		return in.OID, "2", "2"
	case in.Lookup != nil && in.Lookup.Str != nil:
		return in.OID, "4", "07/14/2021"
	case in.Lookup != nil && (in.Var == "ups.status" || strings.HasSuffix(in.Var, ".alarm")):
		return in.OID, "2", strconv.FormatInt(steer(in.Lookup, want), 10)
	case in.Lookup != nil:
		v := in.Lookup.Values[0].OID
		for _, l := range in.Lookup.Values {
			if l.Text != "" {
				v = l.OID
				break
			}
		}
		return in.OID, "2", strconv.FormatInt(v, 10)
	case in.Flags&snmp.Cmd != 0:
		return in.OID, "2", "1"
	case strings.HasSuffix(in.Var, ".phases"):
		return in.OID, "2", "1"
	case in.String && in.Flags&snmp.TypeInt == 0:
		return in.OID, "4", in.Var + " " + strconv.Itoa(i)
	}
	return in.OID, "2", strconv.Itoa(11 + i*7%230)
}

// coverageVersion is the SNMP version a mapping is compared over: v2c,
// but v1 for a table with templates or an alarm table. NUT 2.8.0 takes
// an SNMPv2c exception (noSuchInstance) for an answer, so it counts an
// outlet 0 the agent lacks, and would ask row after row for ever where
// it counts outlets itself (2.8.1 fixed it, and sysnut reads exceptions
// as 2.8.1 does); over v1 the agent's noSuchName tells both the same.
func coverageVersion(m *snmp.Mapping) string {
	for _, in := range m.Table {
		if strings.Contains(in.OID, "%i") || in.Var == "ups.alarms" {
			return "v1"
		}
	}
	return "v2c"
}

// steer picks the value of a status lookup whose text says the most of
// want and nothing else; else one that says nothing; else one the
// lookup does not know.
func steer(l *snmp.Lookup, want []string) int64 {
	best, score := int64(-1), -1
	unknown := int64(0)
	for _, v := range l.Values {
		unknown = max(unknown, v.OID+1)
		words := strings.Fields(v.Text)
		fits := 0
		for _, w := range words {
			if !slices.Contains(want, w) {
				fits = -1
				break
			}
			fits++
		}
		if fits > score {
			best, score = v.OID, fits
		}
	}
	if best < 0 {
		return unknown
	}
	return best
}

// compareOIDs orders dotted OIDs by their numbers.
func compareOIDs(a, b string) int {
	x, y := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < min(len(x), len(y)); i++ {
		m, _ := strconv.Atoi(x[i])
		n, _ := strconv.Atoi(y[i])
		if m != n {
			return m - n
		}
	}
	return len(x) - len(y)
}

// TestSNMPMappingsAsNUT: for every mapping sysnut has, NUT 2.8.0's
// snmp-ups and ours read an agent that has every OID of the mapping's
// table, in each of snmpStates, and NUT's clients must see the same UPS;
// on line, mibs = auto must choose the same mapping, and every instant
// command and SET must be answered alike and leave the same UPS.
func TestSNMPMappingsAsNUT(t *testing.T) {
	requireNUTSNMP(t)
	for _, m := range snmp.Mappings {
		for _, st := range snmpStates {
			t.Run(m.Name+"/"+st.name, func(t *testing.T) {
				t.Parallel()
				rec := coverageRecording(m, st.want)
				mibs := m.Name
				if st.name == "OL" && m.SysOID != "" {
					mibs = "auto"
				}
				// APC's flags, on a state where they show.
				var flags string
				if m == snmp.APCC && st.name == "OB" {
					flags = " notransferoids\n symmetrathreephase\n"
				}
				section := func(port int) string {
					return fmt.Sprintf(" driver = snmp-ups\n port = 127.0.0.1:%d\n community = public\n snmp_version = %s\n mibs = %s\n pollfreq = 2\n%s",
						port, coverageVersion(m), mibs, flags)
				}
				write := st.name == "OL"
				theirs := snmpAgentServing(t, rec, write)
				ours := theirs
				if write {
					ours = snmpAgentServing(t, rec, write)
				}
				p := startDriverPair(t, "snmp-ups", section(theirs), section(ours))
				if out := p.both([]string{"upsc", "UPS@ADDR", "driver.version.data"}); out[0] != out[1] {
					t.Errorf("mibs = %s: NUT chose %q, ours %q", mibs, out[0], out[1])
				}
				status := p.both([]string{"upsc", "UPS@ADDR", "ups.status"})
				n := strings.Count(p.both([]string{"upsc", "UPS@ADDR"})[0], "\n")
				t.Logf("NUT: %d variables, ups.status %q", n, status[0])
				p.compare()
				if !write {
					return
				}
				var sets []string
				for _, in := range m.Table {
					if !in.RW || in.OID == "" {
						continue
					}
					value := "42"
					switch {
					case in.Lookup != nil:
						value = in.Lookup.Values[len(in.Lookup.Values)-1].Text
					case strings.HasSuffix(in.Var, ".count"):
						// A count the agent's table does not have would
						// make NUT's walk ask for 42 sensors that are not
						// there, and NUT marks its data stale at each
						// one: upsd would answer DATA-STALE at random.
						value = "2"
					}
					sets = append(sets, in.Var+"="+value)
				}
				p.commandsAndSets(sets...)
			})
		}
	}
}

// TestSNMPKillPowerAsNUT: NUT's snmp-ups -k and our driver's killpower,
// with ondelay and offdelay set, each against its own copy of an agent
// that has every OID of the mapping: afterwards both agents must hold
// the same values.
func TestSNMPKillPowerAsNUT(t *testing.T) {
	requireNUTSNMP(t)
	bin := requireNUT(t)
	for _, m := range snmp.Mappings {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			rec := coverageRecording(m, []string{"OB", "LB"})
			theirs, ours := snmpAgentServing(t, rec, true), snmpAgentServing(t, rec, true)
			section := func(name string, port int) string {
				return fmt.Sprintf("[%s]\n driver = snmp-ups\n port = 127.0.0.1:%d\n snmp_version = %s\n mibs = %s\n ondelay = 33\n offdelay = 22\n",
					name, port, coverageVersion(m), m.Name)
			}
			site, err := nutref.NewSite(bin, t.TempDir(), map[string]string{"ups.conf": section("theirs", theirs) + section("ours", ours)})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			nutOut, nutErr := site.KillPower(ctx, "snmp-ups", "theirs")
			uc, err := config.LoadUPSConf(filepath.Join(site.ConfDir, "ups.conf"))
			if err != nil {
				t.Fatal(err)
			}
			e, _ := registry.Lookup("snmp-ups")
			ourErr := driver.Spec{ConfDir: site.ConfDir, UPSConf: uc, Name: "ours", Protocol: e.New, Version: e.Version,
				Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))}.KillPower(ctx)
			if (nutErr == nil) != (ourErr == nil) {
				t.Errorf("NUT's snmp-ups -k: %v\n%s\nours: %v", nutErr, nutOut, ourErr)
			}
			before, after := agentValues(t, rec, theirs), agentValues(t, rec, ours)
			var changed []string
			for oid, v := range after {
				if before[oid] != v {
					t.Errorf("%s after killpower: NUT's agent holds %q, ours %q", oid, before[oid], v)
				}
			}
			for _, l := range strings.Split(string(rec), "\n") {
				if f := strings.SplitN(l, "|", 3); len(f) == 3 && strings.TrimPrefix(after[f[0]], ".") != f[2] {
					changed = append(changed, f[0]+"="+after[f[0]])
				}
			}
			t.Logf("NUT: %v (%s); written by both: %v", nutErr, strings.TrimSpace(nutOut), changed)
		})
	}
}

// agentValues reads back every OID of a recording from the agent.
func agentValues(t *testing.T, rec []byte, port int) map[string]string {
	t.Helper()
	c := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: uint16(port), Community: "public", Version: gosnmp.Version2c,
		Timeout: 2 * time.Second, Retries: 1}
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	defer c.Conn.Close()
	values := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(rec)), "\n") {
		oid := strings.SplitN(l, "|", 2)[0]
		r, err := c.Get([]string{oid})
		if err != nil || len(r.Variables) != 1 {
			t.Fatalf("GET %s: %v", oid, err)
		}
		switch v := r.Variables[0].Value.(type) {
		case []byte:
			values[oid] = string(v)
		default:
			values[oid] = fmt.Sprint(v)
		}
	}
	return values
}
