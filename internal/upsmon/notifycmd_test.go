package upsmon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/upsmon"
)

func TestCheckNotifyCmd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := filepath.Join(dir, "notify.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755)
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("x"), 0o644)
	for _, tc := range []struct{ cmd, want string }{
		{"", ""},
		{script, ""},
		{script + " --flag", ""},
		{"sh", ""},
		{"/sbin/upssched-not-here/upssched", "NUT's upssched is not installed"},
		{filepath.Join(dir, "missing"), "no such file"},
		{plain, "is not an executable file"},
		{"no-such-program-here", "is not on PATH"},
	} {
		got := upsmon.CheckNotifyCmd(tc.cmd)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.cmd, got, tc.want)
		}
	}
}
