package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/loadgen"
	"github.com/sysnut/sysnut/internal/nutref"
)

// snmpFleet runs n of NUT's snmp-ups, n of sysnut's ups-driver and one
// ups-driver serving all n (ups-driver-snmp.service's -all snmp-ups), each
// UPS polling one snmpsimd agent serving recording (pollfreq 10 s), and
// reports the memory and CPU each fleet costs over d. Memory is
// summed as PSS (shared pages split between the processes that map them:
// what the fleet adds to the machine) and as RSS.
func snmpFleet(driverBin, recording string, n int, d time.Duration) error {
	bin, err := nutref.Find()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "nutbench-snmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rec, err := os.ReadFile(recording)
	if err != nil {
		return err
	}
	agent, err := nutref.StartSNMPAgent(rec)
	if err != nil {
		return err
	}
	defer agent.Stop()
	port := agent.Port
	var conf strings.Builder
	for i := range n {
		fmt.Fprintf(&conf, "[u%d]\n driver = snmp-ups\n port = 127.0.0.1:%d\n mibs = ietf\n snmp_version = v2c\n pollfreq = 10\n", i, port)
	}
	files := map[string]string{"ups.conf": conf.String()}
	nut, err := nutref.NewSite(bin, filepath.Join(dir, "nut"), files)
	if err != nil {
		return err
	}
	defer nut.Stop()
	ours, err := nutref.NewSite(bin, filepath.Join(dir, "ours"), files)
	if err != nil {
		return err
	}
	shared, err := nutref.NewSite(bin, filepath.Join(dir, "shared"), files)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var nutPids, ourPids []int
	for i := range n {
		if err := nut.StartDriver(ctx, "snmp-ups", fmt.Sprintf("u%d", i)); err != nil {
			return fmt.Errorf("NUT's snmp-ups u%d: %w\n%s", i, err, nut.Logs())
		}
		nutPids = append(nutPids, nut.DriverPid(fmt.Sprintf("u%d", i)))
	}
	procs := &programs{env: append(os.Environ(), "NUT_CONFPATH="+ours.ConfDir, "NUT_STATEPATH="+ours.StateDir)}
	defer procs.stop()
	for i := range n {
		pid, err := procs.start(driverBin, fmt.Sprintf("u%d", i))
		if err != nil {
			return err
		}
		ourPids = append(ourPids, pid)
	}
	one := &programs{env: append(os.Environ(), "NUT_CONFPATH="+shared.ConfDir, "NUT_STATEPATH="+shared.StateDir)}
	defer one.stop()
	pid, err := one.start(driverBin, "-all", "snmp-ups")
	if err != nil {
		return err
	}
	sharedPids := []int{pid}
	time.Sleep(12 * time.Second) // every instance past its first walks
	for i := range n {
		if _, err := os.Stat(filepath.Join(shared.StateDir, fmt.Sprintf("snmp-ups-u%d", i))); err != nil {
			return fmt.Errorf("the shared ups-driver does not serve u%d: %w", i, err)
		}
	}
	cpu0 := [3]time.Duration{sumCPU(nutPids), sumCPU(ourPids), sumCPU(sharedPids)}
	time.Sleep(d)
	cpu := [3]time.Duration{sumCPU(nutPids) - cpu0[0], sumCPU(ourPids) - cpu0[1], sumCPU(sharedPids) - cpu0[2]}
	fmt.Printf("%d SNMP UPS instances per stack, one snmpsimd agent, pollfreq 10 s, over %s:\n", n, d)
	fmt.Printf("  %-24s %10s %10s %10s %12s\n", "", "PSS MB", "RSS MB", "CPU s", "alive")
	var pss [3]float64
	for i, row := range []struct {
		name string
		pids []int
	}{{"NUT 2.8.0 snmp-ups", nutPids}, {"sysnut ups-driver", ourPids}, {"sysnut, one process", sharedPids}} {
		var p, r int64
		alive := 0
		for _, pid := range row.pids {
			if x := loadgen.PSS(pid); x > 0 {
				alive++
				p += x
			}
			r += loadgen.RSS(pid)
		}
		pss[i] = loadgen.MB(p)
		fmt.Printf("  %-24s %10.1f %10.1f %10.2f %8d/%d\n", row.name, pss[i], loadgen.MB(r), cpu[i].Seconds(), alive, len(row.pids))
	}
	fmt.Printf("  sysnut/NUT, a process each: memory (PSS) %.2fx, CPU %.2fx\n", pss[1]/pss[0], cpu[1].Seconds()/max(cpu[0].Seconds(), 0.01))
	fmt.Printf("  sysnut/NUT, one process:    memory (PSS) %.2fx, CPU %.2fx\n", pss[2]/pss[0], cpu[2].Seconds()/max(cpu[0].Seconds(), 0.01))
	return nil
}

func sumCPU(pids []int) time.Duration {
	var t time.Duration
	for _, p := range pids {
		t += cpuTime(p)
	}
	return t
}
