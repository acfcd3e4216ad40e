package upsd_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/nuttls"
	"github.com/sysnut/sysnut/internal/nuttls/testcert"
	"github.com/sysnut/sysnut/internal/upsd"
)

func serverTLS(t *testing.T, certs testcert.Set, req nuttls.CertRequest) *tls.Config {
	t.Helper()
	cfg, err := nuttls.Server{CertFile: certs.ServerFile, CAPath: certs.CAFile, CertRequest: req}.Config()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestStartTLS(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	f := start(t, 1, func(c *upsd.Config) { c.TLS = serverTLS(t, certs, nuttls.NoClientCert) })
	ctx := context.Background()

	c, err := nutclient.DialTLS(ctx, f.addr, nuttls.Client{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, ok := c.TLS()
	if !ok || st.Version < tls.VersionTLS12 {
		t.Fatalf("session not encrypted with TLS 1.2+: %v %x", ok, st.Version)
	}
	if v, err := c.Var("test", "ups.status"); err != nil || v != "OL" {
		t.Fatalf("GET VAR over TLS: %q, %v", v, err)
	}
	// A second STARTTLS inside the session: NUT's ALREADY-SSL-MODE.
	var pe *nutproto.Error
	if _, err := c.Cmd("STARTTLS"); !errors.As(err, &pe) || pe.Code != nutproto.ErrAlreadySSLMode {
		t.Fatalf("second STARTTLS: %v", err)
	}
	if v, err := c.Var("test", "ups.status"); err != nil || v != "OL" {
		t.Fatalf("session unusable after refused STARTTLS: %q, %v", v, err)
	}
}

func TestStartTLSNotConfigured(t *testing.T) {
	t.Parallel()
	f := start(t, 1, nil)
	ctx := context.Background()
	// NUT's default (try): clear text goes on.
	c, err := nutclient.DialTLS(ctx, f.addr, nuttls.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.TLS(); ok {
		t.Fatal("TLS without a server certificate")
	}
	if v, err := c.Var("test", "ups.status"); err != nil || v != "OL" {
		t.Fatalf("clear text after FEATURE-NOT-CONFIGURED: %q, %v", v, err)
	}
	c.Close()
	// FORCESSL: fail loudly.
	_, err = nutclient.DialTLS(ctx, f.addr, nuttls.Client{Force: true})
	if !errors.Is(err, nutclient.ErrNoTLS) || !strings.Contains(err.Error(), "ERR FEATURE-NOT-CONFIGURED") {
		t.Fatalf("FORCESSL against a clear-text server: %v", err)
	}
}

func TestCertVerify(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	f := start(t, 1, func(c *upsd.Config) { c.TLS = serverTLS(t, certs, nuttls.NoClientCert) })
	_, port, _ := net.SplitHostPort(f.addr)
	localhost := net.JoinHostPort("localhost", port)
	tests := []struct {
		name   string
		addr   string
		policy nuttls.Client
		ok     bool
	}{
		{"CA and matching name", localhost, nuttls.Client{Verify: true, CAPath: certs.CAFile}, true},
		{"CA and matching IP", f.addr, nuttls.Client{Verify: true, CAPath: certs.CAFile}, true},
		{"CERTHOST name matches", f.addr, nuttls.Client{Verify: true, CAPath: certs.CAFile, CertName: "localhost"}, true},
		{"CERTHOST name differs", localhost, nuttls.Client{Verify: true, CAPath: certs.CAFile, CertName: "ups.example.com"}, false},
		{"system roots do not know our CA", localhost, nuttls.Client{Verify: true}, false},
		{"no verification", localhost, nuttls.Client{CertName: "ups.example.com"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := nutclient.DialTLS(context.Background(), tt.addr, tt.policy)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err == nil {
				if _, enc := c.TLS(); !enc {
					t.Error("not encrypted")
				}
				c.Close()
			}
		})
	}
}

func TestCertRequest(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	tests := []struct {
		req                  nuttls.CertRequest
		none, trusted, other bool // whether each client gets a session
	}{
		{nuttls.NoClientCert, true, true, true},
		{nuttls.RequestClientCert, true, true, false},
		{nuttls.RequireClientCert, false, true, false},
	}
	for _, tt := range tests {
		f := start(t, 1, func(c *upsd.Config) { c.TLS = serverTLS(t, certs, tt.req) })
		for _, cl := range []struct {
			file string
			want bool
		}{{"", tt.none}, {certs.ClientFile, tt.trusted}, {certs.OtherClientFile, tt.other}} {
			c, err := nutclient.DialTLS(context.Background(), f.addr, nuttls.Client{CertFile: cl.file})
			if err == nil {
				// TLS 1.3 clients learn of a rejected certificate on
				// their first read, not in the handshake.
				_, err = c.Var("test", "ups.status")
				c.Close()
			}
			if (err == nil) != cl.want {
				t.Errorf("CERTREQUEST %d, client cert %q: err = %v, want session %v", tt.req, cl.file, err, cl.want)
			}
		}
	}
}

// earlyConn sends "STARTTLS\n" glued to the ClientHello in one write and
// hides "OK STARTTLS\n" from the TLS client: the server must replay the
// bytes it read after the STARTTLS line into the handshake.
type earlyConn struct {
	net.Conn
	r            *bufio.Reader
	wrote, ready bool
}

func (e *earlyConn) Write(b []byte) (int, error) {
	if !e.wrote {
		e.wrote = true
		_, err := e.Conn.Write(append([]byte("STARTTLS\n"), b...))
		return len(b), err
	}
	return e.Conn.Write(b)
}

func (e *earlyConn) Read(b []byte) (int, error) {
	if !e.ready {
		line, err := e.r.ReadString('\n')
		if err != nil {
			return 0, err
		}
		if line != "OK STARTTLS\n" {
			return 0, errors.New("got " + line)
		}
		e.ready = true
	}
	return e.r.Read(b)
}

// tlsServerConn starts a server with STARTTLS and returns a plain
// connection to it, closed when the test ends.
func tlsServerConn(t *testing.T) net.Conn {
	certs := testcert.New(t)
	f := start(t, 1, func(c *upsd.Config) { c.TLS = serverTLS(t, certs, nuttls.NoClientCert) })
	raw, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetDeadline(time.Now().Add(5 * time.Second))
	return raw
}

func TestStartTLSPipelinedHello(t *testing.T) {
	t.Parallel()
	raw := tlsServerConn(t)
	tc := tls.Client(&earlyConn{Conn: raw, r: bufio.NewReader(raw)}, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c := nutclient.New(tc)
	if v, err := c.Var("test", "ups.status"); err != nil || v != "OL" {
		t.Fatalf("GET VAR: %q, %v", v, err)
	}
}

// TestStartTLSTwiceInOneWrite: lines after STARTTLS in the same write are
// answered in clear text before the handshake, as NUT's upsd answers them
// (a second STARTTLS gets ALREADY-SSL-MODE); only bytes that start a TLS
// record are taken for the ClientHello.
func TestStartTLSTwiceInOneWrite(t *testing.T) {
	t.Parallel()
	raw := tlsServerConn(t)
	raw.Write([]byte("STARTTLS\nSTARTTLS\nNETVER\n"))
	r := bufio.NewReader(raw)
	for _, want := range []string{"OK STARTTLS\n", "ERR ALREADY-SSL-MODE\n", "1.3\n"} {
		if got, err := r.ReadString('\n'); got != want {
			t.Fatalf("got %q (%v), want %q", got, err, want)
		}
	}
	tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("handshake after the clear-text answers: %v", err)
	}
	if v, err := nutclient.New(tc).Var("test", "ups.status"); err != nil || v != "OL" {
		t.Fatalf("GET VAR over TLS: %q, %v", v, err)
	}
}

func TestReloadReplacesCertificate(t *testing.T) {
	t.Parallel()
	first, second := testcert.New(t), testcert.New(t)
	var cfg upsd.Config
	f := start(t, 1, func(c *upsd.Config) { c.TLS = serverTLS(t, first, nuttls.NoClientCert); cfg = *c })
	old, err := nutclient.DialTLS(context.Background(), f.addr, nuttls.Client{Verify: true, CAPath: first.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	cfg.TLS = serverTLS(t, second, nuttls.NoClientCert)
	f.srv.Reload(cfg)
	c, err := nutclient.DialTLS(context.Background(), f.addr, nuttls.Client{Verify: true, CAPath: second.CAFile})
	if err != nil {
		t.Fatalf("new certificate not served after reload: %v", err)
	}
	c.Close()
	if v, err := old.Var("test", "ups.status"); err != nil || v != "OL" {
		t.Fatalf("session from before the reload: %q, %v", v, err)
	}
}

func TestTLSConfigErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	tests := []struct{ conf, want string }{
		{"CERTFILE /nonexistent/upsd.pem\n", "upsd.conf:1: open /nonexistent/upsd.pem: no such file or directory"},
		{"\nCERTFILE " + certs.CAFile + "\n", "upsd.conf:2: " + certs.CAFile + ": no PEM private key"},
		{"CERTFILE " + certs.ServerFile + "\nCERTREQUEST 2\n", "upsd.conf:1: CERTREQUEST needs CERTPATH"},
		{"CERTREQUEST 1\n", "upsd.conf:1: CERTREQUEST needs CERTFILE"},
		{"CERTIDENT name pass\n", "upsd.conf:1: CERTIDENT names a certificate in an NSS database"},
	}
	for _, tt := range tests {
		c, err := config.ParseUpsdConf("upsd.conf", []byte(tt.conf))
		if err != nil {
			t.Fatal(err)
		}
		_, err = upsd.TLSConfig(c)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want prefix %q", tt.conf, err, tt.want)
		}
	}
}
