// Command sysnut-generator is a systemd generator (installed in
// /usr/lib/systemd/system-generators/): it turns ups.conf into drop-ins for
// ups-driver@.service. See sysnut-generator(8).
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/generator"
)

func main() {
	// systemd passes normal, early and late output directories.
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: sysnut-generator NORMAL-DIR [EARLY-DIR LATE-DIR]")
		os.Exit(2)
	}
	nc, err := config.LoadNutConf(config.In("nut.conf"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "sysnut-generator: %v\n", err)
		if nc == nil {
			nc = &config.NutConf{Mode: config.ModeNone}
		}
	}
	if nc.Mode == config.ModeNone {
		fmt.Fprintf(os.Stderr, "sysnut-generator: %s: MODE=none: sysnut.target starts nothing; set MODE=standalone (or netserver, netclient) to start sysnut at boot\n", nc.File)
	}
	uc, err := config.LoadUPSConf(config.In("ups.conf"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		uc = &config.UPSConf{File: config.In("ups.conf")} // no UPS here: a monitor may still run
	case err != nil:
		// Keep going with what parsed: one bad line must not cost every UPS.
		fmt.Fprintf(os.Stderr, "sysnut-generator: %v\n", err)
		if uc == nil {
			uc = &config.UPSConf{File: config.In("ups.conf")}
		}
	}
	files, warnings := generator.Generate(uc, nc)
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "sysnut-generator: %s\n", w)
	}
	if err := generator.Write(os.Args[1], files); err != nil {
		fmt.Fprintf(os.Stderr, "sysnut-generator: %v\n", err)
		os.Exit(1)
	}
}
