package upsctl

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"golang.org/x/sys/unix"
)

// agentPath is polkit's text-mode authentication agent.
const agentPath = "/usr/bin/pkttyagent"

// startAgent runs pkttyagent, as systemd's tools do before a call that may
// need a password, and returns once it has registered (it closes the
// notify descriptor then). The returned function stops it. Without a
// terminal, or without pkttyagent, it does nothing: polkit then answers
// "interactive authentication required".
func startAgent(path string, stdin *os.File) (stop func(), err error) {
	if _, err := unix.IoctlGetTermios(int(stdin.Fd()), unix.TCGETS); err != nil {
		return func() {}, nil
	}
	if _, err := os.Stat(path); err != nil {
		return func() {}, nil
	}
	return runAgent(path)
}

// runAgent starts the agent at path and waits for it to be ready.
func runAgent(path string) (func(), error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(path, "--notify-fd", "3", "--fallback")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("polkit agent: %w", err)
	}
	w.Close()
	ready := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, r); close(ready) }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
	}
	return func() {
		_ = cmd.Process.Signal(unix.SIGTERM)
		_ = cmd.Wait()
	}, nil
}
