package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
)

// TestCredentialCopies: with LoadCredential=, upsd reads systemd's copy of
// a file named like the configured one, and the file itself otherwise.
func TestCredentialCopies(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "upsd.users"), []byte("[u]\npassword = p\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CREDENTIALS_DIRECTORY", dir)
	if got := config.Credential("/etc/nut/upsd.users"); got != filepath.Join(dir, "upsd.users") {
		t.Errorf("credential passed: %q", got)
	}
	if got := config.Credential("/etc/nut/upsd.pem"); got != "/etc/nut/upsd.pem" {
		t.Errorf("credential not passed: %q", got)
	}
	t.Setenv("CREDENTIALS_DIRECTORY", "")
	if got := config.Credential("/etc/nut/upsd.users"); got != "/etc/nut/upsd.users" {
		t.Errorf("outside systemd: %q", got)
	}
}
