package interop

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// snmpAgent runs Debian's snmpsimd on loopback serving the recording
// file as community "public", and returns its port. snmpsimd refuses to
// run as root: it drops to nobody, so its data must be readable by all.
func snmpAgent(t *testing.T, recording string) int {
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
	data, err := os.ReadFile(recording)
	if err != nil {
		t.Fatal(err)
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
// battery, for SNMP v1 and v2c.
func TestSNMPAsNUTDriver(t *testing.T) {
	if _, err := os.Stat("/lib/nut/snmp-ups"); err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatal("SYSNUT_REQUIRE_NUT=1 but NUT's snmp-ups is missing (apt-get install nut-snmp)")
		}
		t.Skip("NUT's snmp-ups is not installed (apt-get install nut-snmp)")
	}
	for _, tc := range []struct {
		recording, version, mibs string
	}{
		{"ietf-ol.snmprec", "v2c", "ietf"},
		{"ietf-oblb.snmprec", "v1", "auto"},
	} {
		t.Run(tc.recording+"/"+tc.version+"/"+tc.mibs, func(t *testing.T) {
			port := snmpAgent(t, filepath.Join("testdata/snmp", tc.recording))
			conf := fmt.Sprintf(" driver = snmp-ups\n port = 127.0.0.1:%d\n community = public\n snmp_version = %s\n mibs = %s\n pollfreq = 2\n",
				port, tc.version, tc.mibs)
			p := startDriverPair(t, "snmp-ups", conf, conf)
			var n int
			for _, ups := range []string{"theirs", "ours"} {
				r := runNUT(t, &env{site: p.site}, []string{"upsc", ups + "@" + p.addr})
				n = bytes.Count([]byte(r.stdout), []byte("\n"))
			}
			if n < 30 {
				t.Errorf("only %d variables", n)
			}
			p.compare()
		})
	}
}
