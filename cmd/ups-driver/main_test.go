package main_test

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testlog"
)

func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ups-driver")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

const upsConf = `[sim]
	driver = dummy-ups
	port = sim.dev
[serial]
	driver = nutdrv_qx
	port = /dev/nonexistent-ttyUSB9
[apc]
	driver = apcsmart
	port = /dev/ttyS0
[relay]
	driver = genericups
	port = /dev/ttyS0
	upstype = 8
`

func setup(t *testing.T) (bin, dir string) {
	bin = build(t)
	dir = t.TempDir()
	os.WriteFile(filepath.Join(dir, "ups.conf"), []byte(upsConf), 0o644)
	os.WriteFile(filepath.Join(dir, "sim.dev"), []byte("ups.status: OL\n"), 0o644)
	return bin, dir
}

func command(bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir, "NUT_STATEPATH="+dir)
	return cmd
}

// waitStatus waits until the driver socket's dump has that ups.status.
func waitStatus(t *testing.T, sock, status string, logs *testlog.Buffer) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Write([]byte("DUMPALL\n"))
			buf := make([]byte, 4096)
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			n, _ := c.Read(buf)
			c.Close()
			if strings.Contains(string(buf[:n]), `SETINFO ups.status "`+status+`"`) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never served ups.status %q\n%s", sock, status, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestErrorsNameTheCause(t *testing.T) {
	bin, dir := setup(t)
	for _, tt := range []struct {
		args []string
		want string
		code int // 78: a configuration error, which the unit does not restart
	}{
		{[]string{"nosuch"}, "no [nosuch] section", 78},
		{[]string{"apc"}, `ups.conf:7: driver \"apcsmart\" is not supported`, 78},
		{[]string{"-k", "sim"}, "[sim]: driver dummy-ups: this UPS cannot be told to shut down", 1},
		{[]string{"-k", "relay"}, "cannot be told to shut down", 1},
		{[]string{"-all", "snmp-ups"}, "ups.conf: no UPS has driver = snmp-ups", 78},
		{[]string{"-all", "dummy-ups", "sim"}, "usage:", 2},
		{[]string{"sim", "nosuch"}, "no [nosuch] section", 78},
	} {
		out, err := command(bin, dir, tt.args...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tt.code || !strings.Contains(string(out), tt.want) {
			t.Errorf("ups-driver %v: %v\n%s\nwant %q, exit %d", tt.args, err, out, tt.want, tt.code)
		}
	}
}

func TestServesAndStopsOnSIGTERM(t *testing.T) {
	bin, dir := setup(t)
	cmd := command(bin, dir, "sim")
	var logs testlog.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, filepath.Join(dir, "dummy-ups-sim"), "OL", &logs)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
}

// TestAllInOneProcess: -all DRIVER serves each section with that driver
// on its own socket, and a section ups.conf refuses does not stop the
// others.
func TestAllInOneProcess(t *testing.T) {
	bin := build(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ups.conf"), []byte("[one]\n driver = dummy-ups\n port = one.dev\n[two]\n driver = dummy-ups\n port = two.dev\n"+
		"[typo]\n driver = dummy-ups\n port = one.dev\n pollfrek = 5\n[serial]\n driver = nutdrv_qx\n port = /dev/null\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "one.dev"), []byte("ups.status: OL\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "two.dev"), []byte("ups.status: OB LB\n"), 0o644)
	cmd := command(bin, dir, "-all", "dummy-ups")
	var logs testlog.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	}()
	for name, status := range map[string]string{"one": "OL", "two": "OB LB"} {
		waitStatus(t, filepath.Join(dir, "dummy-ups-"+name), status, &logs)
	}
	if _, err := os.Stat(filepath.Join(dir, "nutdrv_qx-serial")); err == nil {
		t.Error("-all dummy-ups serves the nutdrv_qx section too")
	}
	if !strings.Contains(logs.String(), "pollfrek") || !strings.Contains(logs.String(), "left out") {
		t.Errorf("the refused section is not logged:\n%s", logs.String())
	}
}

// TestMissingDeviceKeepsRetrying: a UPS whose device is absent is an
// error in the log, not an exit, so that plugging it in later works.
func TestMissingDeviceKeepsRetrying(t *testing.T) {
	bin, dir := setup(t)
	cmd := command(bin, dir, "serial")
	var logs testlog.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "/dev/nonexistent-ttyUSB9") {
		if time.Now().After(deadline) {
			t.Fatalf("no error naming the device:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if cmd.ProcessState != nil {
		t.Fatal("driver exited on a missing device")
	}
	if !strings.Contains(logs.String(), "ups=serial") {
		t.Errorf("the error does not name the UPS:\n%s", logs.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
}

func TestKillAllInShutdownOrder(t *testing.T) {
	bin, dir := setup(t)
	os.WriteFile(filepath.Join(dir, "ups.conf"), []byte(upsConf+"[later]\n driver = dummy-ups\n port = sim.dev\n sdorder = 2\n[never]\n driver = genericups\n port = /dev/null\n upstype = 0\n sdorder = -1\n"), 0o644)
	out, err := command(bin, dir, "-k").CombinedOutput()
	if err == nil {
		t.Fatalf("kill power on UPSes that cannot do it succeeded:\n%s", out)
	}
	s := string(out)
	order := []string{"ups=sim", "ups=serial", "ups=apc", "ups=relay", "ups=later"}
	last := -1
	for _, o := range order {
		i := strings.Index(s, o)
		if i < last {
			t.Errorf("%s out of sdorder:\n%s", o, s)
		}
		last = i
	}
	if strings.Contains(s, "ups=never") {
		t.Errorf("sdorder -1 was not left out:\n%s", s)
	}
}
