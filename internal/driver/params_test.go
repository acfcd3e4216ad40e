package driver_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/registry"
)

// A secret ups.conf leaves out comes from the unit's systemd credential
// NAME.KEY, else KEY; ups.conf wins when it has one; other keys never
// come from credentials, nor another UPS's.
func TestSecretsFromCredentials(t *testing.T) {
	dir := t.TempDir()
	for name, v := range map[string]string{"community": "s3cret\n", "authPassword": "pass phrase\n", "mibs": "apcc\n",
		"net.privPassword": "net's own\n", "other.community": "another UPS's\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ups := &config.UPS{Name: "net", Driver: "snmp-ups", Port: "192.0.2.1", Params: []config.Param{{Key: "authPassword", Value: "from ups.conf"}}}
	p := driver.Params{UPS: ups, Credentials: dir}
	for _, c := range []struct {
		key, want string
		ok        bool
	}{
		{"community", "s3cret", true},
		{"authPassword", "from ups.conf", true},
		{"privPassword", "net's own", true}, // net.privPassword
		{"secName", "", false},
		{"mibs", "", false},
	} {
		if v, ok := p.Param(c.key); v != c.want || ok != c.ok {
			t.Errorf("Param(%q) = %q, %v; want %q, %v", c.key, v, ok, c.want, c.ok)
		}
	}
	p.Credentials = ""
	if v, ok := p.Param("community"); ok {
		t.Errorf("without credentials, community = %q", v)
	}
}

// A bad value is reported at its own line of ups.conf, not the section's.
func TestBadValueNamesItsLine(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ups.conf")
	conf := "[net]\n driver = snmp-ups\n port = 192.0.2.1\n\n snmp_version = v4\n"
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	uc, err := config.LoadUPSConf(file)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := registry.Lookup("snmp-ups")
	_, _, _, err = driver.Spec{ConfDir: dir, UPSConf: uc, Name: "net", Protocol: e.New, Log: slog.New(slog.DiscardHandler)}.Prepare()
	if want := file + ":5: [net]: snmp_version = v4: not one of v1, v2c, v3"; err == nil || err.Error() != want {
		t.Errorf("Prepare: %v\nwant %s", err, want)
	}
}
