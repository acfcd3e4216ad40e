package faultinject

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
)

// requireNetAdmin skips unless the test may create network namespaces;
// SYSNUT_REQUIRE_ROOT=1 (set by CI, which runs as root) makes that a
// failure instead.
func requireNetAdmin(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "not root"
	} else if _, err := exec.LookPath("ip"); err != nil {
		why = "no ip(8): install iproute2"
	}
	if why == "" {
		return
	}
	if os.Getenv("SYSNUT_REQUIRE_ROOT") == "1" {
		t.Fatalf("SYSNUT_REQUIRE_ROOT=1 but %s", why)
	}
	t.Skipf("network namespaces need root and ip(8): %s", why)
}

func run(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// netns is a network namespace joined to this one by a veth pair.
type netns struct {
	name, hostIf, hostIP, nsIP string
}

// newNetns creates the namespace "sysnut-<id>" and a /30 link to it.
func newNetns(t *testing.T, id int) netns {
	t.Helper()
	n := netns{
		name:   fmt.Sprintf("sysnut-%d-%d", os.Getpid(), id),
		hostIf: fmt.Sprintf("snh%d%d", os.Getpid()%10000, id),
		hostIP: fmt.Sprintf("10.213.%d.1", id*4),
		nsIP:   fmt.Sprintf("10.213.%d.2", id*4),
	}
	nsIf := fmt.Sprintf("snn%d%d", os.Getpid()%10000, id)
	run(t, "ip", "netns", "add", n.name)
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", n.hostIf).Run()
		exec.Command("ip", "netns", "del", n.name).Run()
	})
	run(t, "ip", "link", "add", n.hostIf, "type", "veth", "peer", "name", nsIf)
	run(t, "ip", "link", "set", nsIf, "netns", n.name)
	run(t, "ip", "addr", "add", n.hostIP+"/30", "dev", n.hostIf)
	run(t, "ip", "link", "set", n.hostIf, "up")
	run(t, "ip", "netns", "exec", n.name, "ip", "addr", "add", n.nsIP+"/30", "dev", nsIf)
	run(t, "ip", "netns", "exec", n.name, "ip", "link", "set", nsIf, "up")
	run(t, "ip", "netns", "exec", n.name, "ip", "link", "set", "lo", "up")
	return n
}

// cut takes the host's end down: the namespace's packets vanish without
// a reset, as when a cable or a switch between two hosts fails.
func (n netns) cut(t *testing.T)     { run(t, "ip", "link", "set", n.hostIf, "down") }
func (n netns) restore(t *testing.T) { run(t, "ip", "link", "set", n.hostIf, "up") }

var buildOnce struct {
	sync.Once
	path string
	err  error
	out  []byte
}

// upsmonBinary builds cmd/upsmon once per test process.
func upsmonBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sysnut-upsmon-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "upsmon")
		buildOnce.out, buildOnce.err = exec.Command("go", "build", "-o", buildOnce.path, "../../cmd/upsmon").CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("go build upsmon: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.path
}

// secondary runs our upsmon binary inside n as a secondary of r, in
// rehearsal, with every notification to the log only.
func secondary(t *testing.T, n netns, r *testrig.Rig, deadtime int) (*testlog.Buffer, chan struct{}) {
	t.Helper()
	dir := t.TempDir()
	_, port, _ := strings.Cut(r.Addr, ":")
	conf := fmt.Sprintf("MONITOR %s@%s:%s 1 sec pass secondary\nPOLLFREQ 1\nPOLLFREQALERT 1\nDEADTIME %d\nFINALDELAY 0\nPOWERDOWNFLAG %s\n",
		r.UPS, n.hostIP, port, deadtime, filepath.Join(dir, "killpower"))
	for _, typ := range config.NotifyTypes {
		conf += "NOTIFYFLAG " + typ + " SYSLOG\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "upsmon.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", n.name, upsmonBinary(t), "-dry-run")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir, "JOURNAL_STREAM=")
	logs := &testlog.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	return logs, exited
}

func waitFor(t *testing.T, logs *testlog.Buffer, s string, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %v\n%s", s, within, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Now()
}

// TestSecondaryCutOff: a secondary upsmon in its own network namespace
// loses its link to the primary's upsd. With mains on it reports the loss
// and waits (no shutdown, however long it lasts) and recovers when the
// link returns; if the UPS was on battery when the link went, it shuts
// down once DEADTIME has passed, and not before.
func TestSecondaryCutOff(t *testing.T) {
	requireNetAdmin(t)
	t.Parallel()
	const deadtime = 3
	t.Run("mains on", func(t *testing.T) {
		t.Parallel()
		n := newNetns(t, 1)
		r := testrig.Start(t, testrig.Options{Listen: n.hostIP + ":0"})
		logs, exited := secondary(t, n, r, deadtime)
		waitFor(t, logs, "logged in", 10*time.Second)
		n.cut(t)
		waitFor(t, logs, "notifytype=COMMBAD", 10*time.Second)
		select {
		case <-exited:
			t.Fatalf("secondary exited\n%s", logs.String())
		case <-time.After(3 * deadtime * time.Second):
		}
		if out := logs.String(); strings.Contains(out, "shutting down") || strings.Contains(out, "would power off") {
			t.Fatalf("secondary shut down while mains was on\n%s", out)
		}
		n.restore(t)
		waitFor(t, logs, "notifytype=COMMOK", 30*time.Second)
	})
	t.Run("on battery", func(t *testing.T) {
		t.Parallel()
		n := newNetns(t, 2)
		r := testrig.Start(t, testrig.Options{Listen: n.hostIP + ":0"})
		logs, exited := secondary(t, n, r, deadtime)
		waitFor(t, logs, "logged in", 10*time.Second)
		r.SetStatus("OB")
		waitFor(t, logs, "notifytype=ONBATT", 10*time.Second)
		n.cut(t)
		cut := time.Now()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("secondary did not shut down after DEADTIME on battery\n%s", logs.String())
		}
		out := logs.String()
		if !strings.Contains(out, "on battery when contact was lost more than DEADTIME ago") || !strings.Contains(out, "would power off") {
			t.Errorf("shutdown reason or rehearsal missing\n%s", out)
		}
		// DEADTIME runs from the last good poll, at most POLLFREQ before the cut.
		if took := time.Since(cut); took < (deadtime-1)*time.Second {
			t.Errorf("shut down %v after the cut, before DEADTIME", took)
		}
	})
}
