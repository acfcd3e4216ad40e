// Package nuttls builds crypto/tls configurations from NUT's TLS directives:
// upsd's CERTFILE, CERTPATH and CERTREQUEST, and the clients' CERTPATH,
// CERTFILE, CERTVERIFY, FORCESSL and CERTHOST. NUT links OpenSSL or NSS;
// we use Go's crypto/tls, so certificates and keys are PEM files and the
// "certificate database" is a PEM file or a directory of them.
package nuttls

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MinVersion is the oldest protocol either side accepts: TLS 1.2.
const MinVersion = tls.VersionTLS12

// CertRequest is upsd's CERTREQUEST: whether clients present certificates.
type CertRequest int

// CERTREQUEST values, as in NUT.
const (
	NoClientCert      CertRequest = 0 // NO
	RequestClientCert CertRequest = 1 // REQUEST: verified if presented
	RequireClientCert CertRequest = 2 // REQUIRE: a valid one or no session
)

// Server is upsd's TLS setup.
type Server struct {
	CertFile    string // PEM: certificate chain and private key
	CAPath      string // PEM file or directory: CAs that sign client certificates
	CertRequest CertRequest
}

// Config returns the server's TLS configuration, or nil when CertFile is
// empty (STARTTLS then answers FEATURE-NOT-CONFIGURED, as in NUT).
func (s Server) Config() (*tls.Config, error) {
	if s.CertFile == "" {
		if s.CertRequest != NoClientCert {
			return nil, errors.New("CERTREQUEST needs CERTFILE: there is no TLS without a server certificate")
		}
		return nil, nil
	}
	cert, err := LoadKeyPair(s.CertFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: MinVersion, Certificates: []tls.Certificate{cert}}
	if s.CertRequest == NoClientCert {
		return cfg, nil
	}
	if s.CAPath == "" {
		return nil, errors.New("CERTREQUEST needs CERTPATH: the CA certificates that sign client certificates")
	}
	if cfg.ClientCAs, err = LoadCAs(s.CAPath); err != nil {
		return nil, err
	}
	cfg.ClientAuth = tls.VerifyClientCertIfGiven
	if s.CertRequest == RequireClientCert {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// LoadKeyPair reads a PEM file holding a certificate chain and its private
// key, in any order: NUT's CERTFILE format.
func LoadKeyPair(path string) (tls.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return tls.Certificate{}, err
	}
	var certs, keys []byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			certs = append(certs, pem.EncodeToMemory(b)...)
		} else if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			keys = append(keys, pem.EncodeToMemory(b)...)
		}
	}
	switch {
	case certs == nil:
		return tls.Certificate{}, fmt.Errorf("%s: no PEM certificate", path)
	case keys == nil:
		return tls.Certificate{}, fmt.Errorf("%s: no PEM private key (CERTFILE holds the certificate and its key)", path)
	}
	pair, err := tls.X509KeyPair(certs, keys)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", path, err)
	}
	return pair, nil
}

// LoadCAs reads CA certificates from a PEM file, or from every *.pem and
// *.crt file of a directory.
func LoadCAs(path string) (*x509.CertPool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		for _, pat := range []string{"*.pem", "*.crt"} {
			m, _ := filepath.Glob(filepath.Join(path, pat))
			files = append(files, m...)
		}
	}
	pool := x509.NewCertPool()
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("%s: no PEM certificate", f)
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no *.pem or *.crt file", path)
	}
	return pool, nil
}

// Client is a client's TLS policy. The zero value is NUT's default: try
// STARTTLS, accept any certificate, and carry on in clear text if the
// server has no TLS.
type Client struct {
	Disabled bool   // never send STARTTLS
	Force    bool   // FORCESSL: fail unless the session is encrypted
	Verify   bool   // CERTVERIFY: the server's certificate must be valid for its name
	CAPath   string // CERTPATH: PEM file or directory; empty: the system's roots
	CertName string // CERTHOST's name; empty: the host dialled
	CertFile string // the client's own certificate and key, for CERTREQUEST
}

// Config returns the crypto/tls configuration for a server at host.
func (c Client) Config(host string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: MinVersion, ServerName: host}
	if c.CertName != "" {
		cfg.ServerName = c.CertName
	}
	if c.CertFile != "" {
		pair, err := LoadKeyPair(c.CertFile)
		if err != nil {
			return nil, err
		}
		// Sent even when the server's CA list does not name its issuer, so
		// that a mismatch fails in the server's log, not silently.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &pair, nil
		}
	}
	if !c.Verify {
		// NUT's CERTVERIFY 0: encrypted but unauthenticated.
		cfg.InsecureSkipVerify = true
		return cfg, nil
	}
	if c.CAPath != "" {
		pool, err := LoadCAs(c.CAPath)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// ClientFromEnv is the policy of the command-line clients (upsc, upscmd,
// upsrw), which have no config file in NUT: NUT_CERTPATH, NUT_CERTFILE,
// NUT_CERTHOST (the name the server's certificate must carry),
// NUT_CERTVERIFY and NUT_FORCESSL (1/yes/on/true).
func ClientFromEnv(getenv func(string) string) (Client, error) {
	c := Client{
		CAPath:   getenv("NUT_CERTPATH"),
		CertFile: getenv("NUT_CERTFILE"),
		CertName: getenv("NUT_CERTHOST"),
	}
	for name, dst := range map[string]*bool{"NUT_CERTVERIFY": &c.Verify, "NUT_FORCESSL": &c.Force} {
		switch strings.ToLower(getenv(name)) {
		case "", "0", "no", "off", "false":
		case "1", "yes", "on", "true":
			*dst = true
		default:
			return Client{}, fmt.Errorf("%s=%q: want 1 or 0", name, getenv(name))
		}
	}
	return c, nil
}
