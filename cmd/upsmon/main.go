// Command upsmon is sysnut's UPS monitor: NUT's upsmon.conf, NUT's
// notifications and shutdown sequence, and a power-off asked of logind
// over D-Bus by an unprivileged user. See upsmon(8).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/logind"
	"github.com/sysnut/sysnut/internal/upsmon"
	"github.com/sysnut/sysnut/internal/version"
)

func main() {
	checkFlag := flag.Bool("K", false, "report whether the killpower flag is set (exit 0 if so), as NUT's upsmon -K")
	command := flag.String("c", "", "send `CMD` to the running upsmon: fsd (forced shutdown), stop, reload")
	dryRun := flag.Bool("dry-run", false, "rehearse: monitor and run the whole shutdown sequence except the power-off")
	testNotify := flag.String("test-notify", "", "send one notification of `TYPE` (e.g. ONBATT) through the configured channels and exit")
	debug := flag.Bool("D", false, "log debug messages")
	pid := flag.Int("P", 0, "with -c: signal `PID` instead of the process in the PID file")
	showVersion := flag.Bool("V", false, "print the version and exit")
	stateFile := flag.String("state", defaultStateFile(), "publish the monitor's state (for ups-metrics) in `FILE`; empty: none")
	// NUT's options that systemd's unit decides under sysnut: accepted, so
	// that NUT's command lines work, and said once at start.
	flag.Bool("F", false, "stay in the foreground (always)")
	background := flag.Bool("B", false, "NUT: go to the background (sysnut never does; systemd runs it)")
	privileged := flag.Bool("p", false, "NUT: no privileged parent (sysnut never has one)")
	runAs := flag.String("u", "", "NUT: run as `USER` (the unit's User= decides)")
	ipv4 := flag.Bool("4", false, "NUT: IPv4 only (not implemented: addresses are used as given)")
	ipv6 := flag.Bool("6", false, "NUT: IPv6 only (not implemented: addresses are used as given)")
	flag.Usage = func() {
		fmt.Printf(`Network UPS Tools upsmon sysnut-%s
Monitors UPS servers and may initiate shutdown if necessary.

usage: upsmon [OPTIONS]

  -c <cmd>	send command to running process: fsd, stop, reload
		(reload checks upsmon.conf first)
  -P <pid>	send the signal above to specified PID (bypassing PID file)
  -D		log debug messages
  -F		stay in the foreground (always)
  -h		display this help
  -K		checks POWERDOWNFLAG, sets exit code to 0 if set
  -V		display the version of this software
  -dry-run	decide and log, touch nothing (sysnut)
  -state <file>	publish the monitor's state there (sysnut; default
		state.json in $RUNTIME_DIRECTORY under systemd)
  -test-notify <type>
		send one notification through the configured channels (sysnut)
  -B, -p, -u <user>, -4, -6
		NUT's options, accepted; the systemd unit decides these
`, version.Release)
	}
	flag.Parse()
	if *showVersion {
		fmt.Println("Network UPS Tools upsmon sysnut-" + version.Release)
		return
	}
	var notes []string
	for _, o := range []struct {
		set  bool
		note string
	}{{*background, "-B: sysnut stays in the foreground; systemd runs it"}, {*privileged, "-p: sysnut has no privileged parent"},
		{*runAs != "", "-u " + *runAs + ": the unit's User= decides who upsmon runs as"},
		{*ipv4 || *ipv6, "-4/-6: not implemented; MONITOR addresses are used as given"}} {
		if o.set {
			notes = append(notes, o.note)
		}
	}

	conf, err := config.LoadUpsmonConf(config.In("upsmon.conf"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		if strings.EqualFold(*command, "reload") {
			// Checked here, like nginx -t, so that the refusal shows in
			// the exit code (and in systemctl reload), not only in the log.
			fmt.Fprintln(os.Stderr, "upsmon: reload refused: the running upsmon keeps its configuration")
			os.Exit(1)
		}
		// -c stop|fsd and -K only need POWERDOWNFLAG: a broken line
		// elsewhere must not stop them.
		if conf == nil || (*command == "" && !*checkFlag) {
			// sysexits' EX_CONFIG: the unit does not restart it
			// (RestartPreventExitStatus=78) and shows it failed.
			os.Exit(78)
		}
	}
	flagPath, flagNote := upsmon.FlagPath(conf.PowerDownFlag)
	if *checkFlag {
		id, err := upsmon.BootID()
		if err == nil && upsmon.FlagSet(flagPath, id) {
			fmt.Println("Power down flag is set")
			return
		}
		fmt.Println("Power down flag is not set")
		os.Exit(1)
	}
	pidFile := filepath.Join(filepath.Dir(flagPath), "upsmon.pid")
	if d := os.Getenv("NUT_ALTPIDPATH"); d != "" {
		// Where NUT's tools look for upsmon.pid, for upsmon -c run with
		// NUT's environment.
		pidFile = filepath.Join(d, "upsmon.pid")
	}
	if *command != "" {
		if *pid > 0 {
			pidFile = ""
		}
		if err := upsmon.Signal(pidFile, *pid, *command); err != nil {
			fmt.Fprintln(os.Stderr, "upsmon:", err)
			os.Exit(1)
		}
		return
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := logging.New("upsmon", os.Stderr, level)
	for _, n := range notes {
		log.Info("NUT option accepted: " + n)
	}
	for _, w := range conf.Warnings {
		log.Warn(w)
	}
	if flagNote != "" {
		log.Warn(flagNote, "file", conf.Where("POWERDOWNFLAG"))
	}
	if msg := upsmon.CheckNotifyCmd(conf.NotifyCmd); msg != "" {
		log.Warn(msg, "file", conf.Where("NOTIFYCMD"))
	}
	if cmd := conf.ShutdownCmd; upsmon.StockShutdown(cmd) {
		log.Info("SHUTDOWNCMD "+cmd+" is a plain power-off: upsmon, not root, asks logind for it instead", "file", conf.Where("SHUTDOWNCMD"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if *testNotify != "" {
		typ := strings.ToUpper(*testNotify)
		if _, ok := upsmon.DefaultMessages[typ]; !ok {
			fmt.Fprintf(os.Stderr, "upsmon: unknown notification type %q\n", *testNotify)
			os.Exit(2)
		}
		system := "test@localhost"
		if len(conf.Monitors) > 0 {
			system = conf.Monitors[0].System()
		}
		n := notifier(conf, log, false)
		n.Test = true
		n.Notify(ctx, typ, system)
		n.Wait()
		return
	}
	if len(conf.Monitors) == 0 {
		log.Error("configuration error; not restarted until it is fixed", "err", fmt.Errorf("%s: no MONITOR lines: nothing to watch", conf.File))
		os.Exit(78)
	}
	if err := run(ctx, conf, flagPath, pidFile, *stateFile, *dryRun, log); err != nil {
		log.Error("upsmon failed", "err", err)
		os.Exit(1)
	}
}

func notifier(conf *config.UpsmonConf, log *slog.Logger, dryRun bool) *upsmon.Notifier {
	return &upsmon.Notifier{Conf: conf, Log: log, Wall: upsmon.Wall, Exec: upsmon.Exec, DryRun: dryRun}
}

// run monitors until a shutdown. SIGHUP hands a fresh upsmon.conf to the
// running monitor, which keeps its state (a reload that fails keeps the
// running configuration); SIGUSR1 (upsmon -c fsd) shuts down at once.
// main has refused a conf without MONITOR lines (exit 78).
func run(ctx context.Context, conf *config.UpsmonConf, flagPath, pidFile, stateFile string, dryRun bool, log *slog.Logger) error {
	if err := upsmon.WritePID(pidFile); err != nil {
		log.Warn("no PID file: upsmon -c will not reach this process", "err", err)
	}
	defer os.Remove(pidFile)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	force := make(chan struct{}, 1)
	r := upsmon.NewRunner(conf, notifier(conf, log, dryRun), &lazyLogind{}, log, flagPath)
	r.DryRun, r.Force, r.StateFile = dryRun, force, stateFile
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if dryRun {
		log.Warn("dry run: decisions are logged, nothing is done (no FSD, killpower flag, logind, WALL or NOTIFYCMD)")
	}
	started := fmt.Sprintf("upsmon started: %d UPSes monitored", len(conf.Monitors))
	if dryRun {
		started += " (dry run: nothing will be shut down)"
	}
	log.Info(started, "ups_count", len(conf.Monitors), "dry_run", dryRun)
	_, _ = daemon.SdNotify(false, fmt.Sprintf("READY=1\nSTATUS=monitoring %d UPS", len(conf.Monitors)))
	for {
		select {
		case err := <-done:
			if err == nil && !dryRun && ctx.Err() == nil {
				_, _ = daemon.SdNotify(false, "STATUS=powering off")
				<-ctx.Done() // systemd stops us on the way down
			}
			return err
		case s := <-sigs:
			if s == syscall.SIGUSR1 {
				select {
				case force <- struct{}{}:
				default:
				}
				continue
			}
			_, _ = daemon.SdNotify(false, daemon.SdNotifyReloading)
			next, err := config.LoadUpsmonConf(conf.File)
			if err == nil && len(next.Monitors) == 0 {
				err = errors.New("no MONITOR lines")
			}
			if err == nil {
				for _, w := range next.Warnings {
					log.Warn(w)
				}
			}
			if err != nil {
				log.Error("reload failed; keeping the running configuration", "err", err)
				_, _ = daemon.SdNotify(false, daemon.SdNotifyReady+"\nSTATUS=reload failed; running configuration kept")
				continue
			}
			conf = next
			r.Reload(next)
			_, _ = daemon.SdNotify(false, fmt.Sprintf("READY=1\nSTATUS=monitoring %d UPS", len(conf.Monitors)))
		}
	}
}

// defaultStateFile is state.json in the unit's RuntimeDirectory, none
// outside systemd.
func defaultStateFile() string {
	if d := os.Getenv("RUNTIME_DIRECTORY"); d != "" {
		return filepath.Join(d, "state.json")
	}
	return ""
}

// lazyLogind connects to the system bus when it is first needed, so that
// a bus that was not up at start does not stop the monitor.
type lazyLogind struct {
	mu sync.Mutex
	c  *logind.Client
}

func (l *lazyLogind) PowerOff(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.connect(ctx); err != nil {
		return err
	}
	err := l.c.PowerOff(ctx)
	l.drop(err)
	return err
}

// ScheduleShutdown implements upsmon.Scheduler.
func (l *lazyLogind) ScheduleShutdown(ctx context.Context, kind string, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.connect(ctx); err != nil {
		return err
	}
	err := l.c.ScheduleShutdown(ctx, kind, at)
	l.drop(err)
	return err
}

// CancelScheduledShutdown implements upsmon.Scheduler.
func (l *lazyLogind) CancelScheduledShutdown(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.connect(ctx); err != nil {
		return false, err
	}
	ok, err := l.c.CancelScheduledShutdown(ctx)
	l.drop(err)
	return ok, err
}

func (l *lazyLogind) connect(ctx context.Context) error {
	if l.c != nil {
		return nil
	}
	c, err := logind.Connect(ctx)
	if err != nil {
		return err
	}
	l.c = c
	return nil
}

// drop forgets a connection that failed, so the next call reconnects; a
// refusal by polkit leaves the connection usable.
func (l *lazyLogind) drop(err error) {
	var refused *logind.Refused
	if err != nil && !errors.As(err, &refused) {
		l.c.Close()
		l.c = nil
	}
}
