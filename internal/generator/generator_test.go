package generator_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/generator"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestEscapeMatchesSystemdEscape(t *testing.T) {
	t.Parallel()
	// Expected values printed by systemd-escape --path / systemd-escape (252).
	for in, want := range map[string]string{
		"/dev/ttyUSB0": "dev-ttyUSB0",
		"/dev/serial/by-id/usb-FTDI_FT232R-if00-port0": `dev-serial-by\x2did-usb\x2dFTDI_FT232R\x2dif00\x2dport0`,
		"/dev/tty-weird name":                          `dev-tty\x2dweird\x20name`,
	} {
		if got := generator.EscapePath(in); got != want {
			t.Errorf("EscapePath(%q) = %q, want %q", in, got, want)
		}
	}
	if got := generator.EscapeInstance("my ups.1"); got != `my\x20ups.1` {
		t.Errorf("EscapeInstance = %q", got)
	}
}

// TestGenerate compares the whole output for testdata/ups.conf with
// testdata/golden.txt (go test -update rewrites it).
func TestGenerate(t *testing.T) {
	t.Parallel()
	uc, err := config.LoadUPSConf("testdata/ups.conf")
	if err != nil {
		t.Fatal(err)
	}
	files, warnings := generator.Generate(uc, &config.NutConf{Mode: config.ModeStandalone})
	if len(warnings) != 1 || !strings.Contains(warnings[0], `testdata/ups.conf:17: [smart]: driver "apcsmart" is not supported`) {
		t.Errorf("warnings: %v", warnings)
	}
	dir := t.TempDir()
	if err := generator.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var paths []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	for _, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		if target, err := os.Readlink(p); err == nil {
			b.WriteString("== " + rel + " -> " + target + "\n")
			continue
		}
		data, _ := os.ReadFile(p)
		b.WriteString("== " + rel + "\n" + string(data))
	}
	golden := "testdata/golden.txt"
	if *update {
		os.WriteFile(golden, []byte(b.String()), 0o644)
	}
	want, _ := os.ReadFile(golden)
	if b.String() != string(want) {
		t.Errorf("generated files differ from %s (-update to accept):\n%s", golden, b.String())
	}
}

// TestModeDecidesWhatTheTargetStarts: nut.conf's MODE picks what
// sysnut.target pulls in, as it picks what NUT's scripts start; every UPS
// keeps its drop-in whatever the mode.
func TestModeDecidesWhatTheTargetStarts(t *testing.T) {
	t.Parallel()
	uc, err := config.ParseUPSConf("ups.conf", []byte("[a]\n driver = dummy-ups\n port = a.dev\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode config.Mode
		want string // the target drop-in's Wants=, "" for none
	}{
		{config.ModeStandalone, "ups-driver@a.service ups-server.socket ups-monitor.service"},
		{config.ModeNetServer, "ups-driver@a.service ups-server.socket ups-monitor.service"},
		{config.ModeNetClient, "ups-monitor.service"},
		{config.ModeNone, ""},
	} {
		files, _ := generator.Generate(uc, &config.NutConf{Mode: tc.mode})
		var target, dropin bool
		for _, f := range files {
			switch f.Path {
			case "sysnut.target.d/50-sysnut-generator.conf":
				target = true
				got := ""
				for _, l := range strings.Split(f.Content, "\n") {
					if w, ok := strings.CutPrefix(l, "Wants="); ok {
						got = w
					}
				}
				if got != tc.want {
					t.Errorf("MODE=%s: Wants=%q, want %q", tc.mode, got, tc.want)
				}
			case "ups-driver@a.service.d/50-sysnut-generator.conf":
				dropin = true
			}
		}
		if !target || !dropin {
			t.Errorf("MODE=%s: target drop-in %v, driver drop-in %v", tc.mode, target, dropin)
		}
	}
}

// TestSharedSNMP: SYSNUT_SNMP_DRIVERS=shared puts the SNMP UPSes in
// ups-driver-snmp.service, allowed every agent, and leaves the others
// their own instances; each SNMP instance conflicts with the shared unit
// in both settings.
func TestSharedSNMP(t *testing.T) {
	t.Parallel()
	uc, err := config.ParseUPSConf("ups.conf", []byte("[a]\n driver = dummy-ups\n port = a.dev\n"+
		"[n1]\n driver = snmp-ups\n port = 192.0.2.1\n[n2]\n driver = snmp-ups\n port = [2001:db8::2]:1161\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		shared bool
		wants  string
	}{
		{false, "ups-driver@a.service ups-driver@n1.service ups-driver@n2.service ups-server.socket ups-monitor.service"},
		{true, "ups-driver-snmp.service ups-driver@a.service ups-server.socket ups-monitor.service"},
	} {
		files, _ := generator.Generate(uc, &config.NutConf{Mode: config.ModeStandalone, SharedSNMP: tc.shared})
		got := map[string]string{}
		for _, f := range files {
			got[f.Path] = f.Content
		}
		if w := got["sysnut.target.d/50-sysnut-generator.conf"]; !strings.Contains(w, "\nWants="+tc.wants+"\n") {
			t.Errorf("shared=%v: target drop-in\n%s\nwant Wants=%s", tc.shared, w, tc.wants)
		}
		if d := got["ups-driver-snmp.service.d/50-sysnut-generator.conf"]; !strings.Contains(d, "\nIPAddressAllow=192.0.2.1 2001:db8::2\n") {
			t.Errorf("shared=%v: shared unit's drop-in\n%s", tc.shared, d)
		}
		for _, n := range []string{"n1", "n2"} {
			if d := got["ups-driver@"+n+".service.d/50-sysnut-generator.conf"]; !strings.Contains(d, "\nConflicts=ups-driver-snmp.service\n") {
				t.Errorf("shared=%v: %s's drop-in\n%s", tc.shared, n, d)
			}
		}
		if d := got["ups-driver@a.service.d/50-sysnut-generator.conf"]; strings.Contains(d, "Conflicts") {
			t.Errorf("shared=%v: a's drop-in\n%s", tc.shared, d)
		}
	}
}

// TestGeneratedInstancesScore: each driver instance the generator makes
// for testdata/ups.conf (serial, USB HID, file, network repeater) keeps
// the template's sandbox: systemd-analyze security, offline, with the
// template and the drop-in, scores it at most 2.0.
func TestGeneratedInstancesScore(t *testing.T) {
	t.Parallel()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	uc, err := config.LoadUPSConf("testdata/ups.conf")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := generator.Generate(uc, &config.NutConf{Mode: config.ModeStandalone})
	root := t.TempDir()
	etc := filepath.Join(root, "etc/systemd/system")
	if err := generator.Write(etc, files); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"ups-driver@.service", "ups-driver-snmp.service"} {
		data, err := os.ReadFile("../../units/" + u)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(etc, u), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, f := range files {
		unit, ok := strings.CutSuffix(filepath.Dir(f.Path), ".d")
		if !ok || !strings.HasPrefix(unit, "ups-driver") {
			continue
		}
		n++
		out, err := exec.Command(analyze, "security", "--offline=yes", "--root="+root, unit).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", unit, err, out)
		}
		m := regexp.MustCompile(`Overall exposure level for \S+: (\d+\.\d+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no score in\n%s", unit, out)
		}
		score, _ := strconv.ParseFloat(string(m[1]), 64)
		t.Logf("%s: %.1f", unit, score)
		if score > 2.0 {
			t.Errorf("%s scores %.1f (above 2.0):\n%s", unit, score, out)
		}
	}
	if n < 4 {
		t.Errorf("only %d driver units scored", n)
	}
}
