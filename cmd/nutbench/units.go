package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// unitDir holds the units whose Environment= nutbench gives sysnut's
// programs, so that they run with the runtime settings systemd gives them
// (GOMAXPROCS): nutbench runs from the source tree.
var unitDir = "units"

// unitOf names the unit that runs each of sysnut's programs.
var unitOf = map[string]string{
	"upsd":        "ups-server.service",
	"ups-driver":  "ups-driver@.service",
	"upsmon":      "ups-monitor.service",
	"sysnut-dbus": "sysnut-dbus.service",
}

var warnUnits sync.Once

// programEnv is the environment of one of sysnut's programs run as its
// unit would run it: nutbench's own, vars, then the unit's Environment=,
// which wins.
func programEnv(bin string, vars ...string) []string {
	return slices.Concat(os.Environ(), vars, unitEnv(bin))
}

// unitEnv returns the Environment= assignments of the unit that runs bin,
// leaving out those with specifiers (%b), which only systemd expands.
func unitEnv(bin string) []string {
	unit, ok := unitOf[filepath.Base(bin)]
	if !ok {
		return nil
	}
	f, err := os.Open(filepath.Join(unitDir, unit))
	if err != nil {
		warnUnits.Do(func() {
			fmt.Fprintf(os.Stderr, "nutbench: %v: programs run without their units' Environment=\n", err)
		})
		return nil
	}
	defer f.Close()
	var env []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Environment=")
		if !ok {
			continue
		}
		for _, a := range strings.Fields(v) {
			if strings.Contains(a, "=") && !strings.Contains(a, "%") {
				env = append(env, strings.Trim(a, `"`))
			}
		}
	}
	return env
}
