package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestUnitEnv: the shipped units' Environment= settings, without those
// that only systemd can expand.
func TestUnitEnv(t *testing.T) {
	dir := t.TempDir()
	unit := "[Service]\nEnvironment=GOMAXPROCS=1\n  Environment=\"A=b\" BOOT=%b\nExecStart=/usr/bin/upsmon\n# Environment=OFF=1\n"
	if err := os.WriteFile(filepath.Join(dir, "ups-monitor.service"), []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	old := unitDir
	unitDir = dir
	t.Cleanup(func() { unitDir = old })
	for bin, want := range map[string][]string{
		"/x/build/upsmon": {"GOMAXPROCS=1", "A=b"},
		"build/nutbench":  nil,
	} {
		if got := unitEnv(bin); !slices.Equal(got, want) {
			t.Errorf("unitEnv(%s) = %q, want %q", bin, got, want)
		}
	}
	// The shipped units are where nutbench finds them from the tree.
	unitDir = filepath.Join("..", "..", "units")
	if got := unitEnv("ups-driver"); !slices.Contains(got, "GOMAXPROCS=1") {
		t.Errorf("ups-driver@.service: %q", got)
	}
}
