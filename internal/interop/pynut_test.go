package interop

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestPyNUTMatchesNUT runs the same PyNUT script against NUT's upsd and
// ours; every call's result or exception must be identical.
func TestPyNUTMatchesNUT(t *testing.T) {
	e := setup(t)
	if e.site.Bin.Python == "" {
		t.Fatal("no /usr/bin/python3 for PyNUT")
	}
	run := func(addr string) string {
		cmd := exec.Command(e.site.Bin.Python, "testdata/pynut_script.py", "127.0.0.1", strconv.Itoa(portOf(addr)))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("PyNUT script against %s: %v\n%s", addr, err, out)
		}
		return string(out)
	}
	want := run(e.nutAddr)
	got := run(e.ourAddr)
	if !strings.Contains(want, "(b'battery.charge', b'100')") {
		t.Fatalf("PyNUT did not read NUT's upsd; the test is broken:\n%s", want)
	}
	if got != want {
		t.Errorf("PyNUT results differ\n--- NUT\n%s--- sysnut\n%s", want, got)
	}
}
