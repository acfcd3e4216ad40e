// Command ups-driver runs the driver for one UPS of ups.conf, choosing the
// protocol from its "driver =" value. See ups-driver(8).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/genericups"
	"github.com/sysnut/sysnut/internal/driver/registry"
	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/modemlines"
	"github.com/sysnut/sysnut/internal/version"
)

func main() {
	kill := flag.Bool("k", false, "kill power: make the UPS cut its output (end of shutdown), then exit")
	debug := flag.Bool("D", false, "log debug messages")
	testLines := flag.String("test-lines", "", "contact closure: show the modem lines of `DEVICE` on every change, act on nothing")
	upstype := flag.Int("upstype", 0, "cable type whose status -test-lines derives")
	showVersion := flag.Bool("V", false, "print the version and the supported drivers, and exit")
	every := flag.String("all", "", "serve every UPS of ups.conf whose driver is `DRIVER` (snmp-ups), all in this one process")
	explore := flag.Bool("explore", false, "usbhid-ups: print the UPS's report descriptor and every field, as NUT's usbhid-ups -DDDDD -x explore does (a replayable recording), and exit")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: ups-driver [-D] [-k] NAME\n       ups-driver [-D] NAME NAME...   (several UPSes, one process)\n       ups-driver [-D] -all DRIVER    (every UPS with that driver, one process)\n       ups-driver -k          (every UPS of ups.conf, by sdorder)\n       ups-driver -explore NAME\n       ups-driver -test-lines DEVICE [-upstype N]\n\nsupported drivers: %v\n", registry.Names())
		flag.PrintDefaults()
	}
	flag.Parse()
	if *showVersion {
		fmt.Printf("Network UPS Tools ups-driver sysnut-%s (drivers: %s)\n", version.Release, strings.Join(registry.Names(), ", "))
		return
	}
	if *testLines != "" {
		if err := showLines(*testLines, *upstype); err != nil {
			fmt.Fprintln(os.Stderr, "ups-driver:", err)
			os.Exit(1)
		}
		return
	}
	if *explore {
		if flag.NArg() != 1 {
			flag.Usage()
			os.Exit(2)
		}
		if err := exploreUPS(flag.Arg(0)); err != nil {
			fmt.Fprintln(os.Stderr, "ups-driver:", err)
			os.Exit(1)
		}
		return
	}
	switch {
	case *every != "" && (*kill || flag.NArg() > 0),
		*kill && flag.NArg() > 1,
		*every == "" && flag.NArg() == 0 && !*kill:
		flag.Usage()
		os.Exit(2)
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := logging.New("ups-driver", os.Stderr, level)
	if err := run(flag.Args(), *every, *kill, log); err != nil {
		var ce *driver.ConfigError
		if errors.As(err, &ce) {
			// No restart can fix it: the unit stops, and shows as failed
			// with this line in systemctl status.
			log.Error("configuration error; not restarted until ups.conf is fixed", "err", err)
			os.Exit(driver.ExitConfig)
		}
		log.Error("ups-driver failed", "err", err)
		os.Exit(1)
	}
}

// exploreUPS prints a USB HID UPS's descriptor and fields (usbhid-ups).
func exploreUPS(name string) error {
	uc, err := config.LoadUPSConf(config.In("ups.conf"))
	if err != nil {
		return err
	}
	u := uc.Find(name)
	if u == nil {
		return fmt.Errorf("%s: no [%s] section", uc.File, name)
	}
	if u.Driver != "usbhid-ups" {
		return fmt.Errorf("%s:%d: [%s] is a %s UPS: -explore reads USB HID UPSes (usbhid-ups)", uc.File, u.Line, name, u.Driver)
	}
	return usbhid.Explore(os.Stdout, driver.Params{UPS: u, ConfDir: config.ConfPath()})
}

// killAll is NUT's "upsdrvctl shutdown": kill power on every UPS in
// sdorder (sdorder = -1 leaves a UPS out), going on past failures so that
// one broken UPS does not keep the others powered.
func killAll(dir string, uc *config.UPSConf, log *slog.Logger) error {
	order, err := driver.ShutdownOrder(uc)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var errs []error
	for _, u := range order {
		spec, err := specOf(dir, uc, u, log)
		if err == nil {
			err = spec.KillPower(ctx)
		}
		if err != nil {
			log.Error("kill power failed", "ups", u.Name, "err", err)
			errs = append(errs, err)
			continue
		}
		log.Warn("UPS told to cut its output", "ups", u.Name)
	}
	return errors.Join(errs...)
}

// showLines is powstatd -t: a row of line states and the derived status
// on every change, until interrupted.
func showLines(dev string, upstype int) error {
	if upstype < 0 || upstype >= len(genericups.Cables) {
		return fmt.Errorf("-upstype %d: want 0..%d", upstype, len(genericups.Cables)-1)
	}
	p, err := modemlines.Open(dev)
	if err != nil {
		return err
	}
	defer p.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fmt.Printf("%s, cable %d (%s); Ctrl-C to stop\n", dev, upstype, genericups.Cables[upstype].Desc)
	return genericups.TestLines(ctx, p, genericups.Cables[upstype], os.Stdout, 2*time.Second)
}

// specOf is what runs the driver of a section of ups.conf, with the
// unit's credentials.
func specOf(dir string, uc *config.UPSConf, u *config.UPS, log *slog.Logger) (driver.Spec, error) {
	e, err := registry.Lookup(u.Driver)
	if err != nil {
		return driver.Spec{}, err
	}
	return driver.Spec{ConfDir: dir, UPSConf: uc, Name: u.Name, Protocol: e.New, Version: e.Version, Log: log,
		Credentials: os.Getenv("CREDENTIALS_DIRECTORY")}, nil
}

func run(names []string, every string, kill bool, log *slog.Logger) error {
	dir := config.ConfPath()
	uc, err := config.LoadUPSConf(config.In("ups.conf"))
	if err != nil {
		return &driver.ConfigError{Err: err}
	}
	if kill && len(names) == 0 {
		return killAll(dir, uc, log)
	}
	if every != "" {
		for _, u := range uc.UPS {
			if u.Driver == every {
				names = append(names, u.Name)
			}
		}
		if len(names) == 0 {
			return &driver.ConfigError{Err: fmt.Errorf("%s: no UPS has driver = %s", uc.File, every)}
		}
	}
	var specs []driver.Spec
	for _, name := range names {
		u := uc.Find(name)
		if u == nil {
			return &driver.ConfigError{Err: fmt.Errorf("%s: no [%s] section", uc.File, name)}
		}
		spec, err := specOf(dir, uc, u, log)
		if err != nil {
			return &driver.ConfigError{Err: fmt.Errorf("%s:%d: %w", uc.File, u.Line, err)}
		}
		specs = append(specs, spec)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	switch {
	case kill:
		return specs[0].KillPower(ctx)
	case len(specs) == 1 && every == "":
		return specs[0].Serve(ctx)
	}
	log.Info(fmt.Sprintf("serving %d UPSes in one process", len(specs)), "ups", strings.Join(names, " "))
	return driver.ServeGroup(ctx, specs, nil)
}
