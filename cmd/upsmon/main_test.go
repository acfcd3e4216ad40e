package main_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// TestControlCommands runs the upsmon binary in rehearsal against our
// upsd: -c reload with a broken file keeps running, -c fsd forces the
// shutdown, which in a dry run touches nothing (no FSD in upsd, no
// killpower flag); -K reports a flag only when it was written for this boot.
func TestControlCommands(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "upsmon")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	rig := testrig.Start(t, testrig.Options{})
	host, port, _ := net.SplitHostPort(rig.Addr)

	confDir := filepath.Join(dir, "etc")
	os.Mkdir(confDir, 0o755)
	flag := filepath.Join(dir, "run", "killpower")
	os.Mkdir(filepath.Dir(flag), 0o755)
	conf := fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 1\nFINALDELAY 0\nPOWERDOWNFLAG %s\n", host, port, flag)
	os.WriteFile(filepath.Join(confDir, "upsmon.conf"), []byte(conf), 0o644)
	env := append(os.Environ(), "NUT_CONFPATH="+confDir)
	cmd := exec.Command(bin, "-dry-run")
	cmd.Env = env
	var logs testlog.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitLog := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in upsmon's log:\n%s", want, logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	control := func(args ...string) (string, error) {
		c := exec.Command(bin, args...)
		c.Env = env
		out, err := c.CombinedOutput()
		return string(out), err
	}
	waitLog("logged in")
	if out, err := control("-K"); err == nil || out != "Power down flag is not set\n" {
		t.Errorf("-K before: %q %v", out, err)
	}
	os.WriteFile(filepath.Join(confDir, "upsmon.conf"), []byte(conf+"BOGUS 1\n"), 0o644)
	// A broken file: -c reload says so and fails, like nginx -t, and
	// the running upsmon is not even signalled.
	if out, err := control("-c", "reload"); err == nil || !strings.Contains(out, "upsmon.conf:5: unknown directive") ||
		!strings.Contains(out, "reload refused") {
		t.Errorf("-c reload of a broken file: %v %s", err, out)
	}
	// A newer NUT's notify type is a warning, as in NUT.
	os.WriteFile(filepath.Join(confDir, "upsmon.conf"), []byte(conf+"NOTIFYFLAG FROM_THE_FUTURE SYSLOG\n"), 0o644)
	if out, err := control("-c", "reload", "-P", strconv.Itoa(cmd.Process.Pid)); err != nil {
		t.Fatalf("-c reload -P: %v %s", err, out)
	}
	waitLog(`NOTIFYFLAG: unknown notify type \"FROM_THE_FUTURE\": ignored`)
	os.WriteFile(filepath.Join(confDir, "upsmon.conf"), []byte(conf), 0o644)
	if out, err := control("-c", "fsd"); err != nil {
		t.Fatalf("-c fsd: %v %s", err, out)
	}
	waitLog("dry run: this is where the machine would power off")
	if !strings.Contains(logs.String(), "forced shutdown requested") {
		t.Errorf("no forced shutdown in the log:\n%s", logs.String())
	}
	if out, err := control("-K"); err == nil || out != "Power down flag is not set\n" {
		t.Errorf("-K after a dry run: %q %v", out, err)
	}
	if err := upsmon.WriteFlag(flag, "another-boot"); err != nil {
		t.Fatal(err)
	}
	if out, err := control("-K"); err == nil {
		t.Errorf("-K with a flag of another boot: %q", out)
	}
	id, err := upsmon.BootID()
	if err != nil {
		t.Fatal(err)
	}
	if err := upsmon.WriteFlag(flag, id); err != nil {
		t.Fatal(err)
	}
	if out, err := control("-K"); err != nil || out != "Power down flag is set\n" {
		t.Errorf("-K with this boot's flag: %q %v", out, err)
	}
	c, err := net.Dial("tcp", rig.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET VAR ups ups.status\n")
	buf := make([]byte, 100)
	n, _ := c.Read(buf)
	if got := string(buf[:n]); got != "VAR ups ups.status \"OL\"\n" {
		t.Errorf("after a dry-run -c fsd upsd reads %q", got)
	}
	if out, err := control("-c", "bogus"); err == nil {
		t.Errorf("-c bogus accepted: %s", out)
	}
	// NUT's command line for a foreground upsmon, and -V.
	if out, err := control("-F", "-B", "-p", "-u", "nut", "-4", "-K"); !strings.Contains(out, "Power down flag") {
		t.Errorf("NUT's options: %v %s", err, out)
	}
	if out, err := control("-V"); err != nil || !strings.HasPrefix(out, "Network UPS Tools upsmon sysnut-") {
		t.Errorf("-V: %v %q", err, out)
	}
}
