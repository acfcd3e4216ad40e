// Command ups-driver runs the driver for one UPS of ups.conf, choosing the
// protocol from its "driver =" value. See ups-driver(8).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/registry"
	"github.com/sysnut/sysnut/internal/logging"
)

func main() {
	kill := flag.Bool("k", false, "kill power: make the UPS cut its output (end of shutdown), then exit")
	debug := flag.Bool("D", false, "log debug messages")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: ups-driver [-D] [-k] NAME\n\nsupported drivers: %v\n", registry.Names())
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := logging.New("ups-driver", os.Stderr, level)
	if err := run(flag.Arg(0), *kill, log); err != nil {
		log.Error("ups-driver failed", "err", err)
		os.Exit(1)
	}
}

func run(name string, kill bool, log *slog.Logger) error {
	dir := config.ConfPath()
	uc, err := config.LoadUPSConf(config.In("ups.conf"))
	if err != nil {
		return err
	}
	u := uc.Find(name)
	if u == nil {
		return fmt.Errorf("%s: no [%s] section", uc.File, name)
	}
	e, err := registry.Lookup(u.Driver)
	if err != nil {
		return fmt.Errorf("%s:%d: %w", uc.File, u.Line, err)
	}
	spec := driver.Spec{ConfDir: dir, UPSConf: uc, Name: name, Protocol: e.New, Version: e.Version, Log: log}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if kill {
		return spec.KillPower(ctx)
	}
	return spec.Serve(ctx)
}
