package upsmon_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/nuttls"
	"github.com/sysnut/sysnut/internal/nuttls/testcert"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

func TestTLSPolicy(t *testing.T) {
	t.Parallel()
	c, err := config.ParseUpsmonConf("upsmon.conf", []byte(
		"CERTPATH /etc/nut/ca.pem\nCERTFILE /etc/nut/me.pem\nCERTVERIFY 1\nFORCESSL 0\n"+
			"CERTHOST ups.example.com upsd.example.com 0 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		want nuttls.Client
	}{
		{"localhost", nuttls.Client{CAPath: "/etc/nut/ca.pem", CertFile: "/etc/nut/me.pem", Verify: true}},
		{"UPS.example.com", nuttls.Client{CAPath: "/etc/nut/ca.pem", CertFile: "/etc/nut/me.pem", CertName: "upsd.example.com", Force: true}},
	}
	for _, tt := range tests {
		if got := upsmon.TLSPolicy(c, tt.host); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.host, got, tt.want)
		}
	}
}

// TestForceSSL: a monitor that demands TLS never trusts a clear-text
// server's status, even one that says the battery is low; with TLS it
// sees the same status and acts.
func TestForceSSL(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	serverConf, err := nuttls.Server{CertFile: certs.ServerFile}.Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		tls      bool
		shutdown bool
	}{{"clear-text server", false, false}, {"TLS server", true, true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := serverConf
			if !tt.tls {
				sc = nil
			}
			rig := testrig.Start(t, testrig.Options{TLS: sc})
			addr := rig.Addr
			rig.SetStatus("OB LB")
			_, port, _ := net.SplitHostPort(addr)
			c := conf(t, fmt.Sprintf("MONITOR ups@localhost:%s 1 mon pass primary\nFINALDELAY 0\nPOLLFREQ 1\n"+
				"FORCESSL 1\nCERTVERIFY 1\nCERTPATH %s\n", port, certs.CAFile))
			var logs testlog.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, &testrig.Power{}, log, filepath.Join(t.TempDir(), "killpower"))
			r.DryRun = true
			// The TLS run ends when it decides (a dry run returns after
			// the shutdown); give its handshakes time on a loaded CI
			// machine under -race. The clear-text run must decide
			// nothing within its 3 s.
			wait := 3 * time.Second
			if tt.tls {
				wait = 20 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			_ = r.Run(ctx)
			out := logs.String()
			if got := strings.Contains(out, "dry run"); got != tt.shutdown {
				t.Errorf("shutdown = %v, want %v\n%s", got, tt.shutdown, out)
			}
			if !tt.tls && strings.Count(out, "does not offer TLS") != 1 {
				t.Errorf("the refusal is not logged exactly once\n%s", out)
			}
		})
	}
}
