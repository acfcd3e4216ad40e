package interop

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/nutref"
	"github.com/sysnut/sysnut/internal/nuttls"
	"github.com/sysnut/sysnut/internal/nuttls/testcert"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
)

// TestNUTUpsmonAgainstOurUpsd: NUT 2.8.0's own upsmon, as a primary,
// monitors a UPS through our upsd. It logs in, reports the power failure,
// and when the battery runs low sets FSD on our upsd and runs its
// SHUTDOWNCMD: an unchanged NUT monitor can rely on sysnut's server. With
// a certificate configured, NUT's upsmon (NSS build) speaks TLS to it.
func TestNUTUpsmonAgainstOurUpsd(t *testing.T) {
	bin := requireNUT(t)
	certs := testcert.New(t)
	tlsConf, err := nuttls.Server{CertFile: certs.ServerFile}.Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		tls  bool
	}{{"clear text", false}, {"TLS", true}} {
		t.Run(tt.name, func(t *testing.T) {
			logs := &testlog.Buffer{}
			opts := testrig.Options{Log: slog.New(slog.NewTextHandler(logs, nil))}
			if tt.tls {
				opts.TLS = tlsConf
			}
			nutUpsmonShutdown(t, bin, testrig.Start(t, opts))
			if got := strings.Contains(logs.String(), "TLS established"); got != tt.tls {
				t.Errorf("TLS session = %v, want %v\n%s", got, tt.tls, logs.String())
			}
		})
	}
}

func nutUpsmonShutdown(t *testing.T, bin *nutref.Binaries, r *testrig.Rig) {
	dir := t.TempDir()
	_, port, _ := net.SplitHostPort(r.Addr)
	notes := filepath.Join(dir, "notes")
	shutdown := filepath.Join(dir, "shutdown-ran")
	notify := filepath.Join(dir, "notify.sh")
	os.WriteFile(notify, []byte("#!/bin/sh\necho \"$NOTIFYTYPE $*\" >> "+notes+"\n"), 0o755)
	conf := fmt.Sprintf("MONITOR ups@127.0.0.1:%s 1 mon pass primary\nMINSUPPLIES 1\nPOLLFREQ 1\nPOLLFREQALERT 1\n"+
		"HOSTSYNC 1\nFINALDELAY 0\nDEADTIME 3\nPOWERDOWNFLAG %s\nSHUTDOWNCMD \"/bin/touch %s\"\nNOTIFYCMD %s\n",
		port, filepath.Join(dir, "killpower"), shutdown, notify)
	for _, typ := range []string{"ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN"} {
		conf += "NOTIFYFLAG " + typ + " EXEC\n"
	}
	os.WriteFile(filepath.Join(dir, "upsmon.conf"), []byte(conf), 0o600)
	os.WriteFile(filepath.Join(dir, "nut.conf"), []byte("MODE=netclient\n"), 0o644)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin.Upsmon, "-F", "-p")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir, "NUT_STATEPATH="+dir, "NUT_ALTPIDPATH="+dir)
	var out testlog.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				data, _ := os.ReadFile(notes)
				t.Fatalf("NUT's upsmon: no %s\nnotifications:\n%s\nupsmon output:\n%s", what, data, out.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	noted := func(s string) func() bool {
		return func() bool { data, _ := os.ReadFile(notes); return strings.Contains(string(data), s) }
	}
	waitFor("login", func() bool {
		return roundTrip(t, r.Addr, [][]byte{[]byte("GET NUMLOGINS ups\n")}) == "NUMLOGINS ups 1\n"
	})
	r.SetStatus("OB")
	waitFor("ONBATT notification", noted("ONBATT"))
	if _, err := os.Stat(shutdown); err == nil {
		t.Fatal("shut down on battery before the battery was low")
	}
	r.SetStatus("OB LB")
	waitFor("SHUTDOWNCMD", func() bool { _, err := os.Stat(shutdown); return err == nil })
	if got := roundTrip(t, r.Addr, [][]byte{[]byte("GET VAR ups ups.status\n")}); got != "VAR ups ups.status \"FSD OB LB\"\n" {
		t.Errorf("our upsd after NUT's upsmon shut down: %q, want FSD set", got)
	}
	if !noted("LOWBATT")() {
		data, _ := os.ReadFile(notes)
		t.Errorf("no LOWBATT notification:\n%s", data)
	}
}
