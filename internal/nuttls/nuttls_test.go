package nuttls_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/nuttls"
	"github.com/sysnut/sysnut/internal/nuttls/testcert"
)

func TestLoadKeyPairAnyOrder(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	data, err := os.ReadFile(certs.ServerFile)
	if err != nil {
		t.Fatal(err)
	}
	// Key first, then certificate: both orders are found in the wild.
	i := strings.Index(string(data), "-----BEGIN PRIVATE KEY")
	swapped := filepath.Join(t.TempDir(), "swapped.pem")
	os.WriteFile(swapped, append(data[i:], data[:i]...), 0o600)
	for _, f := range []string{certs.ServerFile, swapped} {
		if _, err := nuttls.LoadKeyPair(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := nuttls.LoadKeyPair(certs.CAFile); err == nil || !strings.Contains(err.Error(), "no PEM private key") {
		t.Errorf("certificate without key: %v", err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	os.WriteFile(garbage, []byte("not PEM\n"), 0o600)
	if _, err := nuttls.LoadKeyPair(garbage); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("garbage: %v", err)
	}
}

func TestLoadCAs(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	dir := t.TempDir()
	data, _ := os.ReadFile(certs.CAFile)
	os.WriteFile(filepath.Join(dir, "site.crt"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("ignored"), 0o644)
	for _, p := range []string{certs.CAFile, dir} {
		if _, err := nuttls.LoadCAs(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := nuttls.LoadCAs(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.pem or *.crt file") {
		t.Errorf("empty directory: %v", err)
	}
}

func TestClientFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env     map[string]string
		want    nuttls.Client
		wantErr string
	}{
		{nil, nuttls.Client{}, ""},
		{map[string]string{"NUT_FORCESSL": "yes", "NUT_CERTVERIFY": "1", "NUT_CERTPATH": "/ca", "NUT_CERTHOST": "ups1", "NUT_CERTFILE": "/me.pem"},
			nuttls.Client{Force: true, Verify: true, CAPath: "/ca", CertName: "ups1", CertFile: "/me.pem"}, ""},
		{map[string]string{"NUT_FORCESSL": "maybe"}, nuttls.Client{}, `NUT_FORCESSL="maybe": want 1 or 0`},
	}
	for _, tt := range tests {
		got, err := nuttls.ClientFromEnv(func(k string) string { return tt.env[k] })
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%v: err = %v, want %q", tt.env, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: %+v, %v; want %+v", tt.env, got, err, tt.want)
		}
	}
}
