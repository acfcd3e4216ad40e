package interop

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/nutref"
)

// snmpAgent runs Debian's snmpsimd on loopback serving the recording
// file as community "public" (writable: SETs are kept), and returns its
// port.
func snmpAgent(t *testing.T, recording string, writable bool) int {
	t.Helper()
	data, err := os.ReadFile(recording)
	if err != nil {
		t.Fatal(err)
	}
	return snmpAgentServing(t, data, writable)
}

// snmpAgentServing is snmpAgent for a recording made by the test.
func snmpAgentServing(t *testing.T, data []byte, writable bool) int {
	t.Helper()
	if writable {
		// snmpsim's writecache variation: a SET is kept and read back.
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			f := strings.SplitN(l, "|", 3)
			lines = append(lines, f[0]+"|"+f[1]+":writecache|value="+f[2])
		}
		data = []byte(strings.Join(lines, "\n") + "\n")
	}
	a, err := nutref.StartSNMPAgent(data)
	switch {
	case errors.Is(err, nutref.ErrNoSNMPAgent) && os.Getenv("SYSNUT_REQUIRE_NUT") != "1":
		t.Skip(err)
	case err != nil:
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	return a.Port
}

// TestSNMPAsNUTDriver: NUT 2.8.0's snmp-ups and ours read the same agent
// (snmpsimd serving a recording), each behind NUT's upsd, and NUT's
// clients see the same UPS: upsc, upscmd -l, upsrw, GET TYPE, LIST ENUM
// and LIST RANGE of every variable, on line and on battery with a low
// battery, for SNMP v1 and v2c; and every instant command and SET, with
// the same answers and the same UPS after.
func TestSNMPAsNUTDriver(t *testing.T) {
	requireNUTSNMP(t)
	for _, tc := range []struct {
		recording, version, mibs string
		write                    bool
	}{
		{"ietf-ol.snmprec", "v2c", "ietf", true},
		{"ietf-oblb.snmprec", "v1", "auto", false},
	} {
		t.Run(tc.recording+"/"+tc.version+"/"+tc.mibs, func(t *testing.T) {
			t.Parallel()
			rec := filepath.Join("testdata/snmp", tc.recording)
			// Each driver has its agent: what one sets, the other's
			// agent does not see.
			section := func(port int) string {
				return fmt.Sprintf(" driver = snmp-ups\n port = 127.0.0.1:%d\n community = public\n snmp_version = %s\n mibs = %s\n pollfreq = 2\n",
					port, tc.version, tc.mibs)
			}
			p := startDriverPair(t, "snmp-ups", section(snmpAgent(t, rec, tc.write)), section(snmpAgent(t, rec, tc.write)))
			var n int
			for _, ups := range []string{"theirs", "ours"} {
				r := runNUT(t, &env{site: p.site}, []string{"upsc", ups + "@" + p.addr})
				n = bytes.Count([]byte(r.stdout), []byte("\n"))
			}
			if n < 30 {
				t.Errorf("only %d variables", n)
			}
			p.compare()
			if !tc.write {
				return
			}
			p.commandsAndSets("device.contact=42", "device.location=42", "ups.timer.shutdown=42")
		})
	}
}

// commandsAndSets runs every instant command NUT's driver lists, and
// each SET (name=value), on both drivers: the answers must be the same,
// and so must the UPSes after two walks (pollfreq 2).
func (p *driverPair) commandsAndSets(sets ...string) {
	t := p.t
	t.Helper()
	var actions [][]string
	for _, l := range strings.Split(p.both([]string{"upscmd", "-l", "UPS@ADDR"})[0], "\n") {
		if cmd, _, ok := strings.Cut(l, " - "); ok {
			actions = append(actions, []string{"upscmd", "-u", "admin", "-p", "secret", "UPS@ADDR", cmd})
		}
	}
	for _, set := range sets {
		actions = append(actions, []string{"upsrw", "-s", set, "-u", "admin", "-p", "secret", "UPS@ADDR"})
	}
	for _, a := range actions {
		if out := p.both(a); out[0] != out[1] {
			t.Errorf("%v: NUT's %s answers %q, ours %q", a, p.drv, out[0], out[1])
		}
	}
	time.Sleep(5 * time.Second)
	p.compare()
}
