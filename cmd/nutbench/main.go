// Command nutbench measures sysnut's upsd against NUT's upsd in one run, on
// the same dummy-ups driver and the same machine, and prints the ratios:
// GET VAR with 10 clients, LIST VAR with 50, and GET VAR again while 10,000
// idle connections are held open.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sysnut/sysnut/internal/loadgen"
	"github.com/sysnut/sysnut/internal/nutref"
)

func main() {
	ours := flag.String("upsd", "", "path of sysnut's upsd binary (required)")
	dur := flag.Duration("d", 5*time.Second, "duration of each phase")
	idle := flag.Int("idle", 10000, "idle connections held during the last phase")
	flag.Parse()
	if *ours == "" {
		fmt.Fprintln(os.Stderr, "usage: nutbench -upsd PATH [-d 5s] [-idle 10000]")
		os.Exit(2)
	}
	if err := run(*ours, *dur, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "nutbench:", err)
		os.Exit(1)
	}
}

// devFile is a UPS of 17 variables, like the one NUT's figures were taken on.
const devFile = `ups.status: OL
ups.load: 23
ups.realpower.nominal: 900
battery.charge: 100
battery.runtime: 2400
battery.voltage: 27.2
input.voltage: 230.4
input.frequency: 50.0
output.voltage: 230.0
`

func run(oursBin string, d time.Duration, idle int) error {
	raiseNoFile()
	bin, err := nutref.Find()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "nutbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	nutPort, err := nutref.FreePort()
	if err != nil {
		return err
	}
	ourPort, err := nutref.FreePort()
	if err != nil {
		return err
	}
	site, err := nutref.NewSite(bin, dir, map[string]string{
		"ups.conf":   "[test]\n driver = dummy-ups\n port = test.dev\n",
		"upsd.conf":  fmt.Sprintf("LISTEN 127.0.0.1 %d\nMAXCONN %d\n", nutPort, idle+1000),
		"upsd.users": "",
		"test.dev":   devFile,
	})
	if err != nil {
		return err
	}
	defer site.Stop()
	ctx := context.Background()
	if err := site.StartDummy(ctx, "test"); err != nil {
		return err
	}
	if err := site.StartUpsd(ctx, nutPort); err != nil {
		return err
	}
	// Our upsd reads the same files, with its own LISTEN.
	ourConf := filepath.Join(dir, "ours")
	if err := os.MkdirAll(ourConf, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"ups.conf", "upsd.users"} {
		data, err := os.ReadFile(filepath.Join(site.ConfDir, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(ourConf, f), data, 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(ourConf, "upsd.conf"), fmt.Appendf(nil, "LISTEN 127.0.0.1 %d\n", ourPort), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(oursBin)
	cmd.Env = append(os.Environ(), "NUT_CONFPATH="+ourConf, "NUT_STATEPATH="+site.StateDir)
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)

	servers := []struct{ name, addr string }{
		{"NUT 2.8.0 upsd", fmt.Sprintf("127.0.0.1:%d", nutPort)},
		{"sysnut upsd", fmt.Sprintf("127.0.0.1:%d", ourPort)},
	}
	phases := []struct {
		name          string
		conns         int
		request, done string
		idle          bool
	}{
		{"GET VAR, 10 clients", 10, "GET VAR test ups.status", "VAR ", false},
		{"LIST VAR, 50 clients", 50, "LIST VAR test", "END LIST ", false},
		{fmt.Sprintf("GET VAR, 10 clients + %d idle", idle), 10, "GET VAR test ups.status", "VAR ", true},
	}
	fmt.Printf("nutbench: %s per phase, loopback, %d CPUs\n\n", d, runtime.NumCPU())
	for _, p := range phases {
		fmt.Printf("%s\n", p.name)
		var rates [2]float64
		for i, s := range servers {
			var held []net.Conn
			if p.idle {
				var err error
				held, err = loadgen.Idle(ctx, s.addr, idle)
				fmt.Printf("  %-15s held %d idle connections", s.name, len(held))
				if err != nil {
					fmt.Printf(" (%v)", err)
				}
				fmt.Println()
			}
			r, err := loadgen.Run(ctx, s.addr, p.conns, d, p.request, p.done)
			for _, c := range held {
				c.Close()
			}
			if err != nil {
				fmt.Printf("  %-15s failed: %v\n", s.name, err)
				continue
			}
			rates[i] = r.Rate()
			fmt.Printf("  %-15s %s\n", s.name, r)
		}
		if rates[0] > 0 {
			fmt.Printf("  ratio sysnut/NUT: %.2fx\n\n", rates[1]/rates[0])
		}
	}
	return nil
}

// raiseNoFile lifts the descriptor limit to its hard maximum for this
// process and the servers it starts, since the idle phase needs thousands.
func raiseNoFile() {
	var r unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &r) == nil && r.Cur < r.Max {
		r.Cur = r.Max
		_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &r)
	}
}
