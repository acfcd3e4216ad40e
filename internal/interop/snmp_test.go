package interop

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// snmpAgent runs Debian's snmpsimd on loopback serving the recording
// file as community "public" (writable: SETs are kept), and returns its
// port. snmpsimd refuses to
// run as root: it drops to nobody, so its data must be readable by all.
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
	simd, err := exec.LookPath("snmpsimd")
	if err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatal("SYSNUT_REQUIRE_NUT=1 but snmpsimd is missing (apt-get install snmpsim)")
		}
		t.Skip("snmpsimd is not installed (apt-get install snmpsim)")
	}
	dir, err := os.MkdirTemp("", "snmpsim")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if writable {
		// snmpsim's writecache variation: a SET is kept and read back.
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			f := strings.SplitN(l, "|", 3)
			lines = append(lines, f[0]+"|"+f[1]+":writecache|value="+f[2])
		}
		data = []byte(strings.Join(lines, "\n") + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "public.snmprec"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	if err := os.Mkdir(cache, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cache, 0o777); err != nil { // past the umask
		t.Fatal(err)
	}
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.LocalAddr().(*net.UDPAddr).Port
	l.Close()
	args := []string{"--data-dir=" + dir, fmt.Sprintf("--agent-udpv4-endpoint=127.0.0.1:%d", port),
		"--logging-method=stderr", "--cache-dir=" + cache}
	if os.Geteuid() == 0 {
		args = append(args, "--process-user=nobody", "--process-group=nogroup")
	}
	cmd := exec.Command(simd, args...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: uint16(port), Community: "public", Version: gosnmp.Version2c,
		Timeout: 200 * time.Millisecond, Retries: 0}
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	defer c.Conn.Close()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r, err := c.Get([]string{"1.3.6.1.2.1.1.1.0"}); err == nil && len(r.Variables) == 1 && r.Variables[0].Type == gosnmp.OctetString {
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("snmpsimd did not answer:\n%s", log.String())
		}
	}
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
			// Every command and every writable variable, on both: the
			// same answers, then (after a walk) the same UPS.
			list := runNUT(t, &env{site: p.site}, []string{"upscmd", "-l", "theirs@" + p.addr}).stdout
			var actions [][]string
			for _, l := range strings.Split(list, "\n") {
				if cmd, _, ok := strings.Cut(l, " - "); ok {
					actions = append(actions, []string{"upscmd", "-u", "admin", "-p", "secret", "UPS@ADDR", cmd})
				}
			}
			for _, name := range []string{"device.contact", "device.location", "ups.timer.shutdown"} {
				actions = append(actions, []string{"upsrw", "-s", name + "=42", "-u", "admin", "-p", "secret", "UPS@ADDR"})
			}
			for _, a := range actions {
				if out := p.both(a); out[0] != out[1] {
					t.Errorf("%v: NUT's snmp-ups answers %q, ours %q", a, out[0], out[1])
				}
			}
			time.Sleep(5 * time.Second) // two walks (pollfreq 2)
			p.compare()
		})
	}
}
