package interop

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/nutcli"
)

// clientCases are command lines; ADDR is replaced by the server's address.
var clientCases = [][]string{
	{"upsc", "test@ADDR"},
	{"upsc", "test@ADDR", "ups.status"},
	{"upsc", "test@ADDR", "ups.model"},
	{"upsc", "test@ADDR", "ups.serial"},
	{"upsc", "TEST@ADDR", "UPS.MFR"},
	{"upsc", "test@ADDR", "nosuch.var"},
	{"upsc", "test@ADDR", "nodot"},
	{"upsc", "test@ADDR", "ups.status", "extra"},
	{"upsc", "nosuch@ADDR"},
	{"upsc", "down@ADDR"},
	{"upsc", "down@ADDR", "ups.status"},
	{"upsc", "-l", "ADDR"},
	{"upsc", "-L", "ADDR"},
	{"upsc", "-c", "test@ADDR"},
	{"upsc", "-c", "nosuch@ADDR"},
	{"upsc", "test@127.0.0.1:1"},
	{"upsc", "-l", "127.0.0.1:1"},
	{"upsc", "fsdtest@ADDR"},
	{"upscmd", "-l", "test@ADDR"},
	{"upscmd", "-l", "nosuch@ADDR"},
	{"upscmd", "-l", "down@ADDR"},
	{"upscmd", "-u", "admin", "-p", "secret", "test@ADDR", "load.off"},
	{"upscmd", "-u", "admin", "-p", "secret", "test@ADDR", "load.off", "12"},
	{"upscmd", "-u", "admin", "-p", "secret", "-w", "test@ADDR", "load.off"},
	{"upscmd", "-u", "admin", "-p", "bad", "test@ADDR", "load.off"},
	{"upscmd", "-u", "mon", "-p", "pass", "test@ADDR", "load.off"},
	{"upscmd", "-u", "admin", "-p", "secret", "test@ADDR", "nosuch.cmd"},
	{"upscmd", "-u", "admin", "-p", "secret", "test@ADDR", "nodot"},
	{"upscmd", "-u", "admin", "-p", "secret", "nosuch@ADDR", "load.off"},
	{"upscmd", "-u", "admin", "-p", "secret", "down@ADDR", "load.off"},
	{"upsrw", "test@ADDR"},
	{"upsrw", "-l", "test@ADDR"},
	{"upsrw", "fsdtest@ADDR"},
	{"upsrw", "nosuch@ADDR"},
	{"upsrw", "down@ADDR"},
	{"upsrw", "-s", "ups.mfr=Acme", "-u", "admin", "-p", "secret", "test@ADDR"},
	{"upsrw", "-s", "ups.mfr=Acme", "-u", "admin", "-p", "secret", "-w", "test@ADDR"},
	{"upsrw", "-s", "ups.mfr=Acme", "-u", "mon", "-p", "pass", "test@ADDR"},
	{"upsrw", "-s", "nosuch.var=1", "-u", "admin", "-p", "secret", "test@ADDR"},
	{"upsrw", "-s", "device.mfr=1", "-u", "admin", "-p", "secret", "test@ADDR"},
	{"upsrw", "-s", "ups.mfr=123456789012345678901234567890123", "-u", "admin", "-p", "secret", "test@ADDR"},
	{"upsrw", "-s", "ups.mfr=Acme", "-u", "admin", "-p", "secret", "nosuch@ADDR"},
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n[stdout]\n%s[stderr]\n%s", r.code, r.stdout, r.stderr)
}

// runNUT runs one of NUT's clients. Its NSS build announces on stderr that
// it has no certificate database; that line is not part of the comparison.
func runNUT(t *testing.T, e *env, args []string) result {
	t.Helper()
	var path string
	switch args[0] {
	case "upsc":
		path = e.site.Bin.Upsc
	case "upscmd":
		path = e.site.Bin.Upscmd
	case "upsrw":
		path = e.site.Bin.Upsrw
	}
	cmd := exec.Command(path, args[1:]...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.SplitAfter(se.String(), "\n") {
		if !strings.HasPrefix(l, "Init SSL without certificate database") && l != "" {
			kept = append(kept, l)
		}
	}
	return result{so.String(), strings.Join(kept, ""), code}
}

// runOurs runs our client in-process.
func runOurs(args []string) result {
	var so, se bytes.Buffer
	io := nutcli.IO{Stdin: strings.NewReader(""), Stdout: &so, Stderr: &se}
	ctx := context.Background()
	var code int
	switch args[0] {
	case "upsc":
		code = nutcli.Upsc(ctx, io, args[1:])
	case "upscmd":
		code = nutcli.Upscmd(ctx, io, args[1:])
	case "upsrw":
		code = nutcli.Upsrw(ctx, io, args[1:])
	}
	return result{so.String(), se.String(), code}
}

func withAddr(args []string, addr string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "ADDR", addr)
	}
	return out
}

// TestClientsMatchNUT runs every case four ways: NUT's client and ours,
// each against NUT's upsd and ours. NUT's client on NUT's upsd is the
// reference; the addresses differ only in port, which the outputs never
// show, except in connection errors to a fixed closed port.
func TestClientsMatchNUT(t *testing.T) {
	e := setup(t)
	// A logged-in monitor on each server, for upsc -c to list.
	for _, addr := range []string{e.nutAddr, e.ourAddr} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("USERNAME mon\nPASSWORD pass\nLOGIN test\n")); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(c)
		for i := 0; i < 3; i++ {
			if l, err := r.ReadString('\n'); err != nil || l != "OK\n" {
				t.Fatalf("login on %s: %q %v", addr, l, err)
			}
		}
	}
	for _, args := range clientCases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := runNUT(t, e, withAddr(args, e.nutAddr))
			if want.stdout == "" && want.stderr == "" {
				t.Fatal("NUT's client printed nothing; the case is broken")
			}
			got := map[string]result{
				"NUT client, sysnut upsd":    runNUT(t, e, withAddr(args, e.ourAddr)),
				"sysnut client, NUT upsd":    runOurs(withAddr(args, e.nutAddr)),
				"sysnut client, sysnut upsd": runOurs(withAddr(args, e.ourAddr)),
			}
			for who, r := range got {
				if r != want {
					t.Errorf("%s differs from NUT client on NUT upsd\n--- NUT\n%v--- %s\n%v", who, want, who, r)
				}
			}
		})
	}
}
