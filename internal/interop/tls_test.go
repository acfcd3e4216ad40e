package interop

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/nutcli"
	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nuttls"
	"github.com/sysnut/sysnut/internal/nuttls/testcert"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/upsd"
)

// tlsServer runs a second upsd of ours on the same site, with CERTFILE.
func tlsServer(t *testing.T, e *env, certs testcert.Set) (string, *testlog.Buffer) {
	t.Helper()
	logs := &testlog.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	f, err := upsd.LoadFiles(e.site.ConfDir, log)
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.Config()
	if cfg.TLS, err = (nuttls.Server{CertFile: certs.ServerFile}).Config(); err != nil {
		t.Fatal(err)
	}
	addr := runOurUpsd(t, cfg, log)
	waitReady(t, addr, "test")
	return addr, logs
}

// TestNUTClientsOverTLS: NUT 2.8.0's NSS-built upsc tries STARTTLS (its
// upscmd and upsrw do not); with a certificate configured, our upsd takes
// it into TLS and its output is what it prints against NUT's own upsd in
// clear text, apart from the SSL progress lines it adds on stderr.
func TestNUTClientsOverTLS(t *testing.T) {
	e := setup(t)
	certs := testcert.New(t)
	addr, logs := tlsServer(t, e, certs)
	cases := []struct {
		args []string
		tls  bool
	}{
		{[]string{"upsc", "test@ADDR"}, true},
		{[]string{"upsc", "test@ADDR", "ups.status"}, true},
		{[]string{"upsc", "-l", "ADDR"}, true},
		{[]string{"upscmd", "-l", "test@ADDR"}, false},
		{[]string{"upsrw", "test@ADDR"}, false},
	}
	encrypted := 0
	for _, c := range cases {
		want := runNUT(t, e, withAddr(c.args, e.nutAddr))
		got := runNUT(t, e, withAddr(c.args, addr))
		inSSL := strings.Contains(got.stderr, "Connected to NUT server 127.0.0.1 in SSL")
		if inSSL != c.tls {
			t.Errorf("%v: in SSL = %v, want %v\n%s", c.args, inSSL, c.tls, got)
		}
		if inSSL {
			encrypted++
			got.stderr = dropSSLChatter(got.stderr)
		}
		if normalize(got.String()) != normalize(want.String()) {
			t.Errorf("%v over TLS:\n%s\nwant (clear text, NUT's upsd):\n%s", c.args, got, want)
		}
	}
	if n := strings.Count(logs.String(), "TLS established"); n != encrypted {
		t.Errorf("our upsd logged %d TLS sessions, NUT's clients report %d\n%s", n, encrypted, logs.String())
	}
}

// dropSSLChatter removes the progress lines NUT's clients print to stderr
// in an SSL session.
func dropSSLChatter(s string) string {
	var kept []string
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(l, "Connecting in SSL to "), strings.HasPrefix(l, "Do not intend to authenticate server "),
			strings.HasPrefix(l, "SSL handshake done successfully"), strings.HasPrefix(l, "Connected to NUT server "),
			l == "Certificate verification is disabled\n":
		default:
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "")
}

// TestForceSSLFailsLoudly: NUT's clients silently fall back to clear text
// when the server has no TLS; ours, told NUT_FORCESSL=1, refuse.
func TestForceSSLFailsLoudly(t *testing.T) {
	e := setup(t)
	certs := testcert.New(t)
	tlsAddr, _ := tlsServer(t, e, certs)
	run := func(addr string, env map[string]string) result {
		var so, se strings.Builder
		io := nutcli.IO{Stdin: strings.NewReader(""), Stdout: &so, Stderr: &se, Getenv: func(k string) string { return env[k] }}
		code := nutcli.Upsc(context.Background(), io, []string{"test@" + addr, "ups.status"})
		return result{so.String(), se.String(), code}
	}
	force := map[string]string{"NUT_FORCESSL": "1"}
	for _, addr := range []string{e.nutAddr, e.ourAddr} {
		r := run(addr, force)
		want := "Error: SSL error: server does not offer TLS (STARTTLS: ERR FEATURE-NOT-CONFIGURED)\n"
		if r.code != 1 || r.stdout != "" || r.stderr != want {
			t.Errorf("FORCESSL against clear-text %s:\n%s\nwant exit 1 and %q", addr, r, want)
		}
	}
	verified := map[string]string{"NUT_FORCESSL": "yes", "NUT_CERTVERIFY": "1", "NUT_CERTPATH": certs.CAFile}
	if r := run(tlsAddr, verified); r.code != 0 || r.stdout != "OL\n" {
		t.Errorf("verified TLS: %s", r)
	}
	other := testcert.New(t)
	verified["NUT_CERTPATH"] = other.CAFile
	if r := run(tlsAddr, verified); r.code != 1 || !strings.Contains(r.stderr, "certificate signed by unknown authority") {
		t.Errorf("certificate from an unknown CA accepted: %s", r)
	}
}

// nssTool runs one of NSS's or OpenSSL's command-line tools.
func nssTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatalf("%s is required (apt-get install libnss3-tools openssl)", name)
		}
		t.Skipf("no %s (apt-get install libnss3-tools openssl)", name)
	}
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// TestOurClientsAgainstNUTTLS: NUT 2.8.0's upsd, with its certificate in
// an NSS database (CERTPATH, CERTIDENT), takes our clients into TLS, and
// our verification of its certificate works against it.
func TestOurClientsAgainstNUTTLS(t *testing.T) {
	bin := requireNUT(t)
	certs := testcert.New(t)
	dir := t.TempDir()
	db, p12 := filepath.Join(dir, "nssdb"), filepath.Join(dir, "upsd.p12")
	pw := filepath.Join(dir, "dbpass")
	os.Mkdir(db, 0o755)
	os.WriteFile(pw, []byte("db-secret\n"), 0o600)
	nssTool(t, "openssl", "pkcs12", "-export", "-in", certs.ServerFile, "-inkey", certs.ServerFile,
		"-name", "upsd", "-out", p12, "-passout", "pass:p12-secret")
	nssTool(t, "certutil", "-N", "-d", "sql:"+db, "-f", pw)
	nssTool(t, "certutil", "-A", "-d", "sql:"+db, "-n", "ca", "-t", "CT,,", "-i", certs.CAFile, "-f", pw)
	nssTool(t, "pk12util", "-i", p12, "-d", "sql:"+db, "-W", "p12-secret", "-k", pw)
	// NUT's upsd drops to the current user (nutref); let it read the database.
	filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o777) })

	site, port := newSite(t, bin, dummyFiles(t, "ups.conf", "upsd.users", "test.dev"),
		fmt.Sprintf("CERTPATH %s\nCERTIDENT upsd db-secret\n", db))
	ctx := context.Background()
	if err := site.StartDummy(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitReady(t, addr, "test")

	c, err := nutclient.DialTLS(ctx, addr, nuttls.Client{Force: true, Verify: true, CAPath: certs.CAFile})
	if err != nil {
		t.Fatalf("our client, TLS with verification, against NUT's upsd: %v\n%s", err, site.Logs())
	}
	defer c.Close()
	st, ok := c.TLS()
	if !ok || st.Version < tls.VersionTLS12 {
		t.Fatalf("not encrypted: %v %x", ok, st.Version)
	}
	if v, err := c.Var("test", "ups.status"); err != nil || v == "" {
		t.Errorf("GET VAR over TLS from NUT's upsd: %q, %v", v, err)
	}
	t.Logf("NUT's upsd: %s, %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))

	other := testcert.New(t)
	if _, err := nutclient.DialTLS(ctx, addr, nuttls.Client{Verify: true, CAPath: other.CAFile}); err == nil ||
		!strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("NUT's certificate accepted against the wrong CA: %v", err)
	}
}
