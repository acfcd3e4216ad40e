package upsctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAgentLifecycle: the agent is asked to notify on fd 3, upsctl waits
// until it does, and stopping it ends the process.
func TestAgentLifecycle(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	agent := filepath.Join(dir, "pkttyagent")
	// The trap is set before fd 3 closes: upsctl may send SIGTERM as soon
	// as it sees the close, and a signal before the trap would kill the
	// shell without a trace.
	script := "#!/bin/sh\ntrap 'echo stopped >> " + log + "; exit 0' TERM\necho \"args: $*\" > " + log + "\nsleep 0.2\necho ready >> " + log + "\nexec 3>&-\nwhile :; do sleep 0.05; done\n"
	if err := os.WriteFile(agent, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	stop, err := runAgent(agent)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Error("returned before the agent said it was ready")
	}
	stop()
	data, _ := os.ReadFile(log)
	if got := string(data); got != "args: --notify-fd 3 --fallback\nready\nstopped\n" {
		t.Errorf("agent log:\n%s", got)
	}
	// Not on a terminal: no agent at all.
	f, _ := os.Open(os.DevNull)
	defer f.Close()
	stop, err = startAgent(agent, f)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if data, _ := os.ReadFile(log); strings.Count(string(data), "args") != 1 {
		t.Error("an agent was started without a terminal")
	}
}
