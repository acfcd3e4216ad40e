package upsmon

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// WritePID records this process's PID for upsmon -c; upsmon keeps it
// beside the killpower flag (/run/sysnut/upsmon.pid by default).
func WritePID(path string) error {
	return writeAtomic(path, []byte(strconv.Itoa(os.Getpid())+"\n"))
}

// signals are NUT's upsmon -c commands.
var signals = map[string]syscall.Signal{"fsd": syscall.SIGUSR1, "stop": syscall.SIGTERM, "reload": syscall.SIGHUP}

// Signal sends a upsmon -c command to pid, or, if pid is 0, to the process
// in the PID file (upsmon -P PID -c CMD, as in NUT).
func Signal(pidFile string, pid int, cmd string) error {
	sig, ok := signals[strings.ToLower(cmd)]
	if !ok {
		return fmt.Errorf("-c %s: want fsd, stop or reload", cmd)
	}
	if pid > 0 {
		if err := syscall.Kill(pid, sig); err != nil {
			return fmt.Errorf("signal upsmon (PID %d): %w", pid, err)
		}
		return nil
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return fmt.Errorf("is upsmon running? %w", err)
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return fmt.Errorf("%s: bad PID %q", pidFile, strings.TrimSpace(string(b)))
	}
	if err := syscall.Kill(pid, sig); err != nil {
		return fmt.Errorf("signal upsmon (PID %d): %w", pid, err)
	}
	return nil
}
