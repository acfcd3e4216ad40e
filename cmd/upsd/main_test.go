package main_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
)

// build compiles upsd once per test binary run.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "upsd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func writeConf(t *testing.T, dir, upsconf string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "ups.conf"), []byte(upsconf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSocketActivationAndReload starts upsd the way systemd does: the
// listening socket as fd 3 with LISTEN_FDS/LISTEN_PID. SIGHUP reloads a
// valid ups.conf and keeps the old one when the new one is broken.
func TestSocketActivationAndReload(t *testing.T) {
	bin := build(t)
	dir := t.TempDir()
	writeConf(t, dir, "[one]\n driver = dummy-ups\n port = one.dev\n desc = \"first\"\n")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // the child owns the descriptor now

	// LISTEN_PID must be the child's own pid, known only inside it.
	cmd := exec.Command("sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0"`, bin)
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir, "NUT_STATEPATH="+dir)
	cmd.ExtraFiles = []*os.File{f}
	var logs testlog.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Log(logs.String())
		}
	}()

	if got := testrig.Ask(t, addr, "LIST UPS"); got != "BEGIN LIST UPS\nUPS one \"first\"\nEND LIST UPS\n" {
		t.Fatalf("LIST UPS over the inherited socket = %q", got)
	}
	writeConf(t, dir, "[one]\n driver = dummy-ups\n port = one.dev\n[two]\n driver = dummy-ups\n port = two.dev\n")
	cmd.Process.Signal(syscall.SIGHUP)
	want := "BEGIN LIST UPS\nUPS one \"Description unavailable\"\nUPS two \"Description unavailable\"\nEND LIST UPS\n"
	deadline := time.Now().Add(5 * time.Second)
	for testrig.Ask(t, addr, "LIST UPS") != want {
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload: %q", testrig.Ask(t, addr, "LIST UPS"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	writeConf(t, dir, "[broken\n driver = \"x # y\"\n")
	cmd.Process.Signal(syscall.SIGHUP)
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "reload failed") {
		if time.Now().After(deadline) {
			t.Fatal("no log line about the failed reload")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "ups.conf:2") {
		t.Errorf("the failed reload does not name file and line:\n%s", logs.String())
	}
	if got := testrig.Ask(t, addr, "LIST UPS"); got != want {
		t.Errorf("a broken reload replaced the running config: %q", got)
	}
}

func TestCheckFlag(t *testing.T) {
	bin := build(t)
	good := t.TempDir()
	writeConf(t, good, "[a]\n driver = dummy-ups\n port = a.dev\n")
	os.WriteFile(filepath.Join(good, "upsd.users"), []byte("[mon]\n password = p\n upsmon primary\n"), 0o640)
	cmd := exec.Command(bin, "-t")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+good)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("upsd -t on a good config: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "world readable") {
		t.Errorf("upsd -t warns about a private upsd.users:\n%s", out)
	}
	// NUT's upsd warns about a world-readable upsd.users; so does -t.
	if err := os.Chmod(filepath.Join(good, "upsd.users"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "-t")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+good)
	if out, err = cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "upsd.users is world readable (mode 0644)") {
		t.Errorf("upsd -t with upsd.users 0644: %v\n%s", err, out)
	}
	bad := t.TempDir()
	writeConf(t, bad, "[a]\n driver = dummy-ups\n")
	os.WriteFile(filepath.Join(bad, "upsd.conf"), []byte("MAXAGE x\nBOGUS 1\n"), 0o644)
	cmd = exec.Command(bin, "-t")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+bad)
	out, err = cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("upsd -t accepted a bad config:\n%s", out)
	}
	for _, want := range []string{"ups.conf:1: UPS \"a\" has no port", "upsd.conf:1: MAXAGE", "upsd.conf:2: unknown directive \"BOGUS\""} {
		if !strings.Contains(string(out), want) {
			t.Errorf("upsd -t output lacks %q:\n%s", want, out)
		}
	}
	// ExecReload=upsd -c reload -P $MAINPID checks first: a broken file
	// fails the reload and nobody is signalled (PID 1 would be refused).
	cmd = exec.Command(bin, "-c", "reload", "-P", "1")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+bad)
	if out, err = cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "reload refused") {
		t.Errorf("upsd -c reload with a broken file: %v\n%s", err, out)
	}
	// NUT's command line (-FF -u) is accepted; -V names the version.
	cmd = exec.Command(bin, "-FF", "-u", "nut", "-t")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+good)
	if out, err = cmd.CombinedOutput(); err != nil {
		t.Errorf("upsd -FF -u nut -t: %v\n%s", err, out)
	}
	if out, err = exec.Command(bin, "-V").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "Network UPS Tools upsd sysnut-") {
		t.Errorf("upsd -V: %v %q", err, out)
	}
}

// TestReloadSkipsUnreadableSecrets: under systemd ExecReload= runs as the
// unit's user, who may not read the root-only upsd.users (upsd gets it as a
// credential copied at start, which a reload does not read again): the
// check skips it instead of refusing a good reload. Run as nobody when
// the test is root.
func TestReloadSkipsUnreadableSecrets(t *testing.T) {
	bin := build(t)
	dir, err := os.MkdirTemp("", "upsd-reload-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	// A copy nobody can run: the test's own temp directories are private.
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "upsd")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	writeConf(t, dir, "[a]\n driver = dummy-ups\n port = a.dev\n")
	os.WriteFile(filepath.Join(dir, "upsd.users"), []byte("[mon]\n password = p\n upsmon primary\n"), 0o600)
	cmd := exec.Command(bin, "-c", "reload")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	} else {
		os.Chmod(filepath.Join(dir, "upsd.users"), 0o000)
	}
	out, err := cmd.CombinedOutput()
	// The check passed: only the missing -P stops it.
	if !strings.Contains(string(out), "writes no PID file") || strings.Contains(string(out), "refused") {
		t.Errorf("reload check with an unreadable upsd.users: %v\n%s", err, out)
	}
}

// TestListenChangeReported: without socket activation, a reload that
// changes LISTEN says that only a restart binds the new addresses.
func TestListenChangeReported(t *testing.T) {
	bin := build(t)
	dir := t.TempDir()
	writeConf(t, dir, "[one]\n driver = dummy-ups\n port = one.dev\n")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	write := func(port int) {
		os.WriteFile(filepath.Join(dir, "upsd.conf"), fmt.Appendf(nil, "LISTEN 127.0.0.1 %d\n", port), 0o644)
	}
	write(addr.Port)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir, "NUT_STATEPATH="+dir)
	var logs testlog.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "upsd started") {
		if time.Now().After(deadline) {
			t.Fatalf("upsd did not start:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	write(addr.Port + 1)
	cmd.Process.Signal(syscall.SIGHUP)
	for !strings.Contains(logs.String(), "LISTEN changed: restart upsd") {
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("a changed LISTEN was not reported:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
