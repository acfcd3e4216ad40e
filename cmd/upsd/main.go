// Command upsd is sysnut's NUT network server. See upsd(8).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/upsd"
)

func main() {
	check := flag.Bool("t", false, "check every config file and exit: 0 if all are valid")
	debug := flag.Bool("D", false, "log debug messages")
	quiet := flag.Bool("q", false, "log warnings and errors only (NUT: raise the log level threshold)")
	showVersion := flag.Bool("V", false, "print the version and exit")
	command := flag.String("c", "", "NUT: send `CMD` (reload, stop) to the upsd of -P")
	pid := flag.Int("P", 0, "with -c: the upsd process to signal (`PID`; under systemd use systemctl)")
	creds := flag.String("credentials", "", "with -c reload: read systemd credentials from `DIR` (ExecReload= passes %d)")
	// NUT's options that systemd's unit decides under sysnut: accepted, so
	// that NUT's command lines work, and said once at start.
	flag.Bool("F", true, "stay in the foreground (always)")
	flag.Bool("FF", true, "stay in the foreground (always; sysnut writes no PID file)")
	background := flag.Bool("B", false, "NUT: go to the background (sysnut never does; systemd runs it)")
	runAs := flag.String("u", "", "NUT: switch to `USER` (the unit's DynamicUser= decides)")
	chroot := flag.String("r", "", "NUT: chroot to `DIR` (the unit's RootDirectory= decides)")
	ipv4 := flag.Bool("4", false, "NUT: IPv4 only (LISTEN or the socket unit decide the addresses)")
	ipv6 := flag.Bool("6", false, "NUT: IPv6 only (LISTEN or the socket unit decide the addresses)")
	flag.Usage = func() {
		fmt.Printf(`Network UPS Tools upsd %s

usage: upsd [OPTIONS]

  -c <command>	send <command> via signal to the upsd of -P (after checking,
		for reload): reload, stop
  -P <pid>	the upsd to signal (sysnut writes no PID file)
  -D		log debug messages
  -F, -FF	stay in the foreground (always)
  -h		display this help
  -q		log warnings and errors only
  -t		check the configuration and exit
  -V		display the version of this software
  -B, -u <user>, -r <dir>, -4, -6
		NUT's options, accepted; the systemd unit decides these
`, upsd.Version)
	}
	flag.Parse()
	if *showVersion {
		fmt.Println("Network UPS Tools upsd " + upsd.Version)
		return
	}
	if *command != "" {
		if *creds != "" {
			// ExecReload= processes do not get $CREDENTIALS_DIRECTORY.
			os.Setenv("CREDENTIALS_DIRECTORY", *creds)
		}
		os.Exit(signalUpsd(*command, *pid))
	}
	var notes []string
	for _, o := range []struct {
		set  bool
		note string
	}{{*background, "-B: sysnut stays in the foreground; systemd runs it"},
		{*runAs != "", "-u " + *runAs + ": the unit's DynamicUser= decides who upsd runs as"},
		{*chroot != "", "-r " + *chroot + ": use RootDirectory= in the unit"},
		{*ipv4 || *ipv6, "-4/-6: LISTEN in upsd.conf or ListenStream= in ups-server.socket decide the addresses"}} {
		if o.set {
			notes = append(notes, o.note)
		}
	}

	if *check {
		for _, w := range upsd.Warnings(config.ConfPath()) {
			fmt.Fprintln(os.Stderr, "warning:", w)
		}
		for _, n := range upsd.DriverNotes(config.ConfPath()) {
			fmt.Fprintln(os.Stderr, "note:", n)
		}
		if err := upsd.Check(config.ConfPath()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("configuration OK")
		return
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	} else if *quiet {
		level = slog.LevelWarn
	}
	log := logging.New("upsd", os.Stderr, level)
	for _, n := range notes {
		log.Info("NUT option accepted: " + n)
	}
	if err := run(log); err != nil {
		var ce configError
		if errors.As(err, &ce) {
			// A restart cannot fix it: the unit stops, failed, with this
			// in systemctl status (RestartPreventExitStatus=78).
			log.Error("configuration error; not restarted until it is fixed", "err", err)
			os.Exit(exitConfig)
		}
		log.Error("upsd failed", "err", err)
		os.Exit(1)
	}
}

// exitConfig is sysexits' EX_CONFIG, upsd's status for a configuration
// that cannot work.
const exitConfig = 78

// configError is an error of the configuration files.
type configError struct{ error }

func (e configError) Unwrap() error { return e.error }

func run(log *slog.Logger) error {
	dir := config.ConfPath()
	files, err := upsd.LoadFilesAtStart(dir, log)
	if err != nil {
		return configError{err}
	}
	listeners, socketActivated, err := listen(files.Upsd, log)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := upsd.New(files.Config(), log)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		// READY=1 only once every driver link runs and the server accepts;
		// a SIGHUP before that waits here and is applied right after.
		select {
		case <-ctx.Done():
			return
		case <-srv.Ready():
		}
		status := fmt.Sprintf("Serving %d UPS on %d socket(s)", len(files.UPS.UPS), len(listeners))
		if files.Skipped != nil {
			status += "; ups.conf has errors, see the journal"
		}
		_, _ = daemon.SdNotify(false, daemon.SdNotifyReady+"\nSTATUS="+status)
		log.Info(fmt.Sprintf("upsd started: %d UPSes on %d sockets", len(files.UPS.UPS), len(listeners)), "ups_count", len(files.UPS.UPS), "sockets", len(listeners))
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_, _ = daemon.SdNotify(false, daemon.SdNotifyReloading)
				status := ""
				f, err := upsd.LoadFiles(dir, log)
				if err != nil {
					log.Error("reload failed; keeping the running configuration", "err", err)
					status = "\nSTATUS=Reload failed; the previous configuration is still in force"
				} else {
					srv.Reload(f.Config())
					log.Info(fmt.Sprintf("configuration reloaded: %d UPSes", len(f.UPS.UPS)), "ups_count", len(f.UPS.UPS))
					if socketActivated {
						if len(f.Upsd.Listen) > 0 && !slices.Equal(f.Upsd.ListenAddrs(), files.Upsd.ListenAddrs()) {
							log.Warn("LISTEN changed in upsd.conf, but the socket unit decides the addresses: change ListenStream= in ups-server.socket", "file", f.Upsd.File)
						}
					} else if !slices.Equal(f.Upsd.ListenAddrs(), files.Upsd.ListenAddrs()) {
						log.Warn("LISTEN changed: restart upsd to listen on the new addresses; the old ones are still served", "file", f.Upsd.File,
							"old", strings.Join(files.Upsd.ListenAddrs(), " "), "new", strings.Join(f.Upsd.ListenAddrs(), " "))
					}
					status = fmt.Sprintf("\nSTATUS=Serving %d UPS on %d socket(s)", len(f.UPS.UPS), len(listeners))
				}
				if users := filepath.Join(dir, "upsd.users"); config.Credential(users) != users {
					// systemd copies credentials when the service starts, not on reload.
					log.Info("upsd.users comes from a credential copied at start: restart ups-server.service to apply edits", "file", users)
				}
				_, _ = daemon.SdNotify(false, daemon.SdNotifyReady+status)
			}
		}
	}()

	return srv.Run(ctx, listeners)
}

// signalUpsd is NUT's upsd -c: it checks the configuration first for a
// reload (a broken one is refused with a non-zero exit, the running upsd
// untouched), then signals pid. sysnut's upsd writes no PID file: under
// systemd, systemctl reload|stop ups-server does this.
func signalUpsd(cmd string, pid int) int {
	sig, ok := map[string]syscall.Signal{"reload": syscall.SIGHUP, "stop": syscall.SIGTERM}[strings.ToLower(cmd)]
	if !ok {
		fmt.Fprintf(os.Stderr, "upsd: -c %s: want reload or stop\n", cmd)
		return 2
	}
	if sig == syscall.SIGHUP {
		if err := upsd.CheckReload(config.ConfPath()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			fmt.Fprintln(os.Stderr, "upsd: reload refused: the running upsd keeps its configuration")
			return 1
		}
	}
	if pid <= 0 {
		fmt.Fprintln(os.Stderr, "upsd: sysnut's upsd writes no PID file: give -P PID, or use systemctl "+strings.ToLower(cmd)+" ups-server.service")
		return 1
	}
	if err := syscall.Kill(pid, sig); err != nil {
		fmt.Fprintf(os.Stderr, "upsd: signal PID %d: %v\n", pid, err)
		return 1
	}
	return 0
}

// listen takes the sockets systemd passed, or binds the LISTEN addresses.
// Under socket activation the .socket unit decides: LISTEN is then ignored,
// with a note, because two sources of truth would fight.
func listen(c *config.UpsdConf, log *slog.Logger) ([]net.Listener, bool, error) {
	ls, err := activation.Listeners()
	if err != nil {
		return nil, false, fmt.Errorf("socket activation: %w", err)
	}
	var out []net.Listener
	for _, l := range ls {
		if l != nil {
			out = append(out, l)
		}
	}
	if len(out) > 0 {
		if len(c.Listen) > 0 {
			log.Info("socket activated: LISTEN in upsd.conf is ignored; set ListenStream= in the socket unit", "file", c.File)
		}
		return out, true, nil
	}
	for _, addr := range c.ListenAddrs() {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			// NUT tolerates a missing ::1 (no IPv6); so do we, if another address works.
			log.Warn("cannot listen", "addr", addr, "err", err)
			continue
		}
		log.Info("listening on "+addr, "addr", addr)
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, false, fmt.Errorf("no LISTEN address could be bound")
	}
	return out, false, nil
}
