// Command nutbench measures sysnut's upsd against NUT's upsd in one run, on
// the same dummy-ups driver and the same machine, and prints the ratios:
// GET VAR with 10 and 100 clients, LIST VAR with 50, and GET VAR again while 10,000
// idle connections are held open. With -attacks it runs the hostile-client
// and hostile-driver suite instead (loadgen.RunAttacks) on both servers;
// with -wakeups it counts what each stack does while nothing happens; with
// -latency it times a power failure from the driver to the monitor's
// decision.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sysnut/sysnut/internal/loadgen"
	"github.com/sysnut/sysnut/internal/nutref"
)

func main() {
	ours := flag.String("upsd", "", "path of sysnut's upsd binary (required)")
	dur := flag.Duration("d", 5*time.Second, "duration of each phase")
	idle := flag.Int("idle", 10000, "idle connections held during the last phase (and the attacks' flood)")
	attacks := flag.Bool("attacks", false, "run the attack suite instead of the throughput phases")
	wakeups := flag.String("wakeups", "", "with `DRIVER` (sysnut's ups-driver binary): count idle wake-ups of both stacks instead")
	fleet := flag.Int("snmp", 0, "with -driver: run `N` SNMP UPS instances of each stack and report their memory and CPU instead")
	driverBin := flag.String("driver", "", "path of sysnut's ups-driver binary (for -snmp and -latency)")
	latency := flag.String("latency", "", "with -driver: time power failures from the driver to the decision of NUT's upsmon and of `UPSMON` (sysnut's upsmon binary) instead")
	upsmonBin := flag.String("upsmon", "", "with -wakeups: also measure the whole stack with sysnut's `UPSMON` and NUT's upsmon")
	dbusBin := flag.String("dbus", "", "with -wakeups -upsmon: and sysnut's D-Bus service `SYSNUT-DBUS`, on a private bus")
	scaleMons := flag.Int("scale", 0, "run `N` monitors against 1,000 simulated UPSes on each server instead (see -scale-ups)")
	scaleUPS := flag.Int("scale-ups", 1000, "UPSes for -scale")
	recording := flag.String("snmprec", "internal/interop/testdata/snmp/ietf-ol.snmprec", "the agent's recording (for -snmp)")
	flag.StringVar(&unitDir, "units", unitDir, "`DIR` of the units whose Environment= sysnut's programs get (the source tree's)")
	only := flag.String("only", "", "run only the throughput phases whose name matches `REGEXP` (e.g. pinned)")
	flag.Parse()
	if *fleet > 0 {
		if err := snmpFleet(*driverBin, *recording, *fleet, *dur); err != nil {
			fmt.Fprintln(os.Stderr, "nutbench:", err)
			os.Exit(1)
		}
		return
	}
	if *ours == "" {
		fmt.Fprintln(os.Stderr, "usage: nutbench -upsd PATH [-d 5s] [-idle 10000] [-attacks | -wakeups DRIVER | -latency UPSMON -driver DRIVER]")
		os.Exit(2)
	}
	if *scaleMons > 0 {
		if err := scale(*ours, *scaleUPS, *scaleMons, *dur); err != nil {
			fmt.Fprintln(os.Stderr, "nutbench:", err)
			os.Exit(1)
		}
		return
	}
	if *latency != "" {
		if err := powerLatency(*ours, *driverBin, *latency, rounds); err != nil {
			fmt.Fprintln(os.Stderr, "nutbench:", err)
			os.Exit(1)
		}
		return
	}
	if *wakeups != "" {
		if err := idleWakeups(*ours, *wakeups, *upsmonBin, *dbusBin, *dur); err != nil {
			fmt.Fprintln(os.Stderr, "nutbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*ours, *dur, *idle, *attacks, *only); err != nil {
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

func run(oursBin string, d time.Duration, idle int, attacks bool, only string) error {
	raiseNoFile()
	bin, dir, nutPort, ourPort, err := prepare("nutbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	site, err := nutref.NewSite(bin, dir, map[string]string{
		"ups.conf":   "[test]\n driver = dummy-ups\n port = test.dev\n\n[evil]\n driver = dummy-ups\n port = evil.dev\n",
		"upsd.conf":  fmt.Sprintf("LISTEN 127.0.0.1 %d\nMAXCONN %d\n", nutPort, idle+1000),
		"upsd.users": "[mon]\n password = pass\n upsmon primary\n",
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
	// [evil] is served by a driver of our own that both servers read, and
	// that the attack suite turns hostile.
	evil, err := loadgen.NewHostileDriver(filepath.Join(site.StateDir, "dummy-ups-evil"), 200)
	if err != nil {
		return err
	}
	defer evil.Close()
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
	cmd.Env = programEnv(oursBin, "NUT_CONFPATH="+ourConf, "NUT_STATEPATH="+site.StateDir)
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)

	servers := []struct {
		name, addr string
		pid        int
	}{
		{"NUT 2.8.0 upsd", fmt.Sprintf("127.0.0.1:%d", nutPort), site.Pid("upsd")},
		{"sysnut upsd", fmt.Sprintf("127.0.0.1:%d", ourPort), cmd.Process.Pid},
	}
	if attacks {
		for deadline := time.Now().Add(10 * time.Second); evil.Connected() < 2 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		var targets []loadgen.Target
		for _, s := range servers {
			targets = append(targets, loadgen.Target{Name: s.name, Addr: s.addr, Pid: s.pid})
		}
		loadgen.RunAttacks(ctx, os.Stdout, targets, loadgen.AttackOptions{Duration: d, Settle: 2 * time.Second,
			UPS: "test", Evil: "evil", Driver: evil, DriverSize: 16 << 20, Idle: idle, User: "mon"})
		return nil
	}
	phases := []struct {
		name          string
		conns         int
		request, done string
		idle          bool
		pinned        bool // server on CPU 0, load on the others (taskset)
	}{
		{"GET VAR, 10 clients, server pinned to CPU 0, load on the other CPUs", 10, "GET VAR test ups.status", "VAR ", false, true},
		{"GET VAR, 10 clients", 10, "GET VAR test ups.status", "VAR ", false, false},
		{"GET VAR, 100 clients", 100, "GET VAR test ups.status", "VAR ", false, false},
		{"LIST VAR, 50 clients", 50, "LIST VAR test", "END LIST ", false, false},
		{fmt.Sprintf("GET VAR, 10 clients + %d idle", idle), 10, "GET VAR test ups.status", "VAR ", true, false},
		{fmt.Sprintf("GET VAR, 10 clients + %d idle, server pinned to CPU 0, load on the other CPUs", idle), 10, "GET VAR test ups.status", "VAR ", true, true},
	}
	phase, err := regexp.Compile(only)
	if err != nil {
		return fmt.Errorf("-only: %w", err)
	}
	fmt.Printf("nutbench: %s per run, %d alternating rounds, loopback, %d CPUs\n\n", d, rounds, runtime.NumCPU())
	for _, p := range phases {
		if p.pinned && runtime.NumCPU() < 2 || !phase.MatchString(p.name) {
			continue
		}
		fmt.Printf("%s\n", p.name)
		n := rounds
		if p.idle {
			n = 1 // opening thousands of connections is slow on NUT
		}
		var rates [2][]float64
		for round := 0; round < n; round++ {
			for i, s := range servers {
				var held []net.Conn
				if p.idle {
					var err error
					held, err = loadgen.Idle(ctx, s.addr, idle, 30*time.Second)
					fmt.Printf("  %-15s held %d idle connections", s.name, len(held))
					if err != nil {
						fmt.Printf(" (%v)", err)
					}
					fmt.Println()
				}
				if p.pinned {
					if err := pinSplit(s.pid); err != nil {
						return err
					}
				}
				cpu0 := cpuTime(s.pid)
				r, err := loadgen.Run(ctx, s.addr, p.conns, d, p.request, p.done)
				cpu := cpuTime(s.pid) - cpu0
				if p.pinned {
					unpin(s.pid)
				}
				for _, c := range held {
					c.Close()
				}
				if err != nil {
					fmt.Printf("  %-15s failed: %v\n", s.name, err)
					continue
				}
				rates[i] = append(rates[i], r.Rate())
				fmt.Printf("  %-15s %s  server CPU %4.1f µs/req\n", s.name, r, float64(cpu.Microseconds())/float64(max(r.Requests, 1)))
			}
		}
		if len(rates[0]) > 0 && len(rates[1]) > 0 {
			a, b := median(rates[0]), median(rates[1])
			fmt.Printf("  median: NUT %.0f/s, sysnut %.0f/s; ratio sysnut/NUT: %.2fx\n\n", a, b, b/a)
		}
	}
	return nil
}

// prepare finds NUT's programs and returns them with a temporary
// directory (the caller removes it) and a free port for each server.
func prepare(prefix string) (bin *nutref.Binaries, dir string, nutPort, ourPort int, err error) {
	if bin, err = nutref.Find(); err != nil {
		return
	}
	if nutPort, err = nutref.FreePort(); err != nil {
		return
	}
	if ourPort, err = nutref.FreePort(); err != nil {
		return
	}
	dir, err = os.MkdirTemp("", prefix)
	return
}

// idleWakeups runs NUT's upsd and dummy-ups, and sysnut's upsd and
// ups-driver, each stack on its own copy of one .dev file with no client,
// and counts each process's context switches over d: what an idle UPS
// daemon costs a machine that is otherwise asleep.
func idleWakeups(upsdBin, driverBin, upsmonBin, dbusBin string, d time.Duration) error {
	bin, dir, nutPort, ourPort, err := prepare("nutbench-idle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files := map[string]string{"ups.conf": "[test]\n driver = dummy-ups\n port = test.dev\n", "upsd.users": "[mon]\n password = pass\n upsmon primary\n", "test.dev": devFile}
	files["upsd.conf"] = fmt.Sprintf("LISTEN 127.0.0.1 %d\n", nutPort)
	site, err := nutref.NewSite(bin, filepath.Join(dir, "nut"), files)
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
	files["upsd.conf"] = fmt.Sprintf("LISTEN 127.0.0.1 %d\n", ourPort)
	ours, err := nutref.NewSite(bin, filepath.Join(dir, "ours"), files)
	if err != nil {
		return err
	}
	procs := &programs{env: append(os.Environ(), "NUT_CONFPATH="+ours.ConfDir, "NUT_STATEPATH="+ours.StateDir)}
	defer procs.stop()
	var pids []int
	for _, args := range [][]string{{driverBin, "test"}, {upsdBin}} {
		pid, err := procs.start(args...)
		if err != nil {
			return err
		}
		pids = append(pids, pid)
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(5 * time.Second) // past start-up (and the runtime's first background GC work)
	measureStacks("idle, one UPS, no client", d, map[string][]member{
		"NUT 2.8.0": {{"upsd", site.Pid("upsd")}, {"dummy-ups", site.Pid("dummy-ups")}},
		"sysnut":    {{"upsd", pids[1]}, {"ups-driver", pids[0]}},
	}, []string{"NUT 2.8.0", "sysnut"})
	if upsmonBin == "" {
		return nil
	}
	// The whole stack: each monitor watches its own server's UPS (ours
	// through WATCH), and sysnut's D-Bus service serves it too.
	nutMon, err := startNUTUpsmon(bin, filepath.Join(dir, "nut-mon"), "test", fmt.Sprintf("127.0.0.1:%d", nutPort))
	if err != nil {
		return err
	}
	defer func() { nutMon.Process.Signal(syscall.SIGTERM); nutMon.Wait() }()
	monDir := filepath.Join(dir, "our-mon")
	if err := writeMonitorConf(monDir, "test", fmt.Sprintf("127.0.0.1:%d", ourPort)); err != nil {
		return err
	}
	mon := &programs{env: append(os.Environ(), "NUT_CONFPATH="+monDir, "NUT_ALTPIDPATH="+monDir)}
	defer mon.stop()
	monPid, err := mon.start(upsmonBin)
	if err != nil {
		return err
	}
	ourStack := []member{{"upsd", pids[1]}, {"ups-driver", pids[0]}, {"upsmon", monPid}}
	if dbusBin != "" {
		addr, stopBus, err := privateBus()
		if err != nil {
			fmt.Printf("(sysnut-dbus not measured: %v)\n", err)
		} else {
			defer stopBus()
			svc := &programs{env: append(os.Environ(), "NUT_CONFPATH="+ours.ConfDir, "DBUS_SYSTEM_BUS_ADDRESS="+addr)}
			defer svc.stop()
			pid, err := svc.start(dbusBin, "-upsd", fmt.Sprintf("127.0.0.1:%d", ourPort))
			if err != nil {
				return err
			}
			ourStack = append(ourStack, member{"sysnut-dbus", pid})
		}
	}
	time.Sleep(5 * time.Second)
	measureStacks("the whole stack, one UPS, its monitor logged in (POLLFREQ 5)", d, map[string][]member{
		"NUT 2.8.0": {{"upsd", site.Pid("upsd")}, {"dummy-ups", site.Pid("dummy-ups")}, {"upsmon", nutMon.Process.Pid}},
		"sysnut":    ourStack,
	}, []string{"NUT 2.8.0", "sysnut"})
	return nil
}

// programs are sysnut's daemons a measurement runs, with one
// environment; stop ends them.
type programs struct {
	env  []string
	cmds []*exec.Cmd
}

// start runs args[0] with the rest as arguments and returns its pid.
func (p *programs) start(args ...string) (int, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = slices.Concat(p.env, unitEnv(args[0])) // the unit's settings win
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	p.cmds = append(p.cmds, cmd)
	return cmd.Process.Pid, nil
}

func (p *programs) stop() {
	for _, c := range p.cmds {
		c.Process.Signal(syscall.SIGTERM)
		c.Wait()
	}
}

// contextSwitches sums the voluntary and involuntary context switches of
// every thread of pid, from /proc.
func contextSwitches(pid int) int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	n := 0
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
				c, _ := strconv.Atoi(strings.TrimSpace(v))
				n += c
			}
		}
	}
	return n
}

// rounds alternate the servers so that drift in the machine's load does
// not favour either; the median of the rounds is compared.
const rounds = 3

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// cpuTime is the user+system CPU a process has used, from /proc.
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are
	// the 14th and 15th fields of the line, in clock ticks (100 Hz).
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(u+st) * 10 * time.Millisecond
}

// pinSplit puts every thread of the server pid on CPU 0 and every thread
// of this load generator on the other CPUs, as taskset would: the server
// cannot borrow the load's CPU time, so its cost per request decides.
func pinSplit(pid int) error {
	var server, load unix.CPUSet
	server.Set(0)
	for c := 1; c < runtime.NumCPU(); c++ {
		load.Set(c)
	}
	if err := setAffinity(pid, &server); err != nil {
		return fmt.Errorf("pin the server: %w", err)
	}
	return setAffinity(os.Getpid(), &load)
}

// unpin gives the server and this process every CPU again.
func unpin(pid int) {
	var all unix.CPUSet
	for c := range runtime.NumCPU() {
		all.Set(c)
	}
	_ = setAffinity(pid, &all)
	_ = setAffinity(os.Getpid(), &all)
}

// setAffinity sets the CPU mask of every thread of pid; threads created
// later inherit it from their creator.
func setAffinity(pid int, set *unix.CPUSet) error {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, _ := strconv.Atoi(filepath.Base(t))
		if err := unix.SchedSetaffinity(tid, set); err != nil && !errors.Is(err, unix.ESRCH) {
			return err
		}
	}
	return nil
}

// raiseNoFile lifts the descriptor limit for this process and the
// servers it starts, since the idle and scale phases need tens of
// thousands: to 65,536 where allowed (root), else to the hard maximum.
func raiseNoFile() {
	var r unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &r) != nil {
		return
	}
	if r.Max < 1<<16 && unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: 1 << 16, Max: 1 << 16}) == nil {
		return
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &r)
	}
}
