// Package testcert makes throwaway certificates for tests: a CA, a server
// certificate for localhost and a client certificate, written as PEM files
// in the shapes NUT's directives expect.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Set is a CA and the files made from it.
type Set struct {
	CAFile     string // the CA certificate (CERTPATH)
	ServerFile string // server chain + key for "localhost", 127.0.0.1, ::1 (CERTFILE)
	ClientFile string // client certificate + key signed by the CA
	// OtherClientFile is a client certificate from a CA nobody trusts.
	OtherClientFile string
}

// New writes a fresh set into a temporary directory of t.
func New(t testing.TB) Set {
	t.Helper()
	dir := t.TempDir()
	ca, caKey := authority(t, "sysnut test CA")
	other, otherKey := authority(t, "untrusted CA")
	s := Set{
		CAFile:          filepath.Join(dir, "ca.pem"),
		ServerFile:      filepath.Join(dir, "upsd.pem"),
		ClientFile:      filepath.Join(dir, "client.pem"),
		OtherClientFile: filepath.Join(dir, "other-client.pem"),
	}
	write(t, s.CAFile, pemCert(ca.Raw))
	server := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	write(t, s.ServerFile, leaf(t, server, ca, caKey))
	client := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "upsmon-secondary"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	write(t, s.ClientFile, leaf(t, client, ca, caKey))
	write(t, s.OtherClientFile, leaf(t, client, other, otherKey))
	return s
}

func template(t *x509.Certificate) *x509.Certificate {
	t.SerialNumber, _ = rand.Int(rand.Reader, big.NewInt(1<<62))
	t.NotBefore = time.Now().Add(-time.Hour)
	t.NotAfter = time.Now().Add(24 * time.Hour)
	return t
}

func authority(t testing.TB, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key := newKey(t)
	tmpl := template(&x509.Certificate{
		Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	})
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// leaf returns PEM for a certificate signed by ca, followed by its key.
func leaf(t testing.TB, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) []byte {
	key := newKey(t)
	tmpl = template(tmpl)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return append(pemCert(der), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})...)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func write(t testing.TB, path string, data []byte) {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
