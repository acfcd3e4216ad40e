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
	uc, err := config.LoadUPSConf(config.In("ups.conf"))
	if errors.Is(err, fs.ErrNotExist) {
		return // no UPS configured: nothing to generate
	}
	if err != nil {
		// Keep going with what parsed: one bad line must not cost every UPS.
		fmt.Fprintf(os.Stderr, "sysnut-generator: %v\n", err)
		if uc == nil {
			return
		}
	}
	files, warnings := generator.Generate(uc)
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "sysnut-generator: %s\n", w)
	}
	if err := generator.Write(os.Args[1], files); err != nil {
		fmt.Fprintf(os.Stderr, "sysnut-generator: %v\n", err)
		os.Exit(1)
	}
}
