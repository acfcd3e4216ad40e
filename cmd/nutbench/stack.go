package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sysnut/sysnut/internal/loadgen"
	"github.com/sysnut/sysnut/internal/nutref"
)

// member is one process of a stack being measured.
type member struct {
	name string
	pid  int
}

// measureStacks counts each process's context switches over d and prints
// them with its RSS and PSS, and each stack's totals: what the daemons of
// a monitored UPS cost a machine that is otherwise asleep. RSS is split
// into file pages (the program and its libraries, shared between
// processes that run them) and anonymous ones (heap and stacks): most of
// a Go daemon's RSS is its own mapped code.
func measureStacks(title string, d time.Duration, stacks map[string][]member, order []string) {
	before := map[int]int{}
	for _, ms := range stacks {
		for _, m := range ms {
			before[m.pid] = contextSwitches(m.pid)
		}
	}
	time.Sleep(d)
	fmt.Printf("%s: context switches in %s, RSS and PSS\n", title, d)
	for _, name := range order {
		var cs int
		var rss, pss int64
		for _, m := range stacks[name] {
			n := contextSwitches(m.pid) - before[m.pid]
			r, p := loadgen.RSS(m.pid), loadgen.PSS(m.pid)
			cs, rss, pss = cs+n, rss+r, pss+p
			fmt.Printf("  %-28s %6d  RSS %5.1f MB  PSS %5.1f MB  (RSS: files %4.1f, anonymous %4.1f)\n", m.name, n, loadgen.MB(r), loadgen.MB(p),
				loadgen.MB(loadgen.RSSFile(m.pid)), loadgen.MB(loadgen.RSSAnon(m.pid)))
		}
		fmt.Printf("  %-28s %6d  RSS %5.1f MB  PSS %5.1f MB\n\n", name+" total", cs, loadgen.MB(rss), loadgen.MB(pss))
	}
}

// startNUTUpsmon runs NUT's upsmon as a primary of ups@addr from its own
// configuration directory dir, with a SHUTDOWNCMD that only leaves a file.
func startNUTUpsmon(bin *nutref.Binaries, dir, ups, addr string) (*exec.Cmd, error) {
	if err := writeMonitorConf(dir, ups, addr); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin.Upsmon, "-F", "-p")
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir, "NUT_STATEPATH="+dir, "NUT_ALTPIDPATH="+dir)
	return cmd, cmd.Start()
}

// writeMonitorConf writes an upsmon.conf (and NUT's nut.conf) for a
// primary of ups@addr with NUT's default POLLFREQ.
func writeMonitorConf(dir, ups, addr string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	conf := fmt.Sprintf("MONITOR %s@%s 1 mon pass primary\nPOLLFREQ 5\nPOLLFREQALERT 5\nFINALDELAY 0\n"+
		"POWERDOWNFLAG %s\nSHUTDOWNCMD \"/bin/touch %s\"\n", ups, addr, filepath.Join(dir, "killpower"), filepath.Join(dir, "shutdown-ran"))
	if err := os.WriteFile(filepath.Join(dir, "upsmon.conf"), []byte(conf), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "nut.conf"), []byte("MODE=netclient\n"), 0o644)
}

// privateBus starts a D-Bus daemon of its own (the session
// configuration: anyone may own any name), for sysnut-dbus to serve on
// without the machine's system bus; stop ends it.
func privateBus() (addr string, stop func(), err error) {
	cmd := exec.Command("dbus-daemon", "--config-file=/usr/share/dbus-1/session.conf", "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("dbus-daemon: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}
