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
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/logind"
	"github.com/sysnut/sysnut/internal/upsmon"
)

func main() {
	checkFlag := flag.Bool("K", false, "report whether the killpower flag is set (exit 0 if so), as NUT's upsmon -K")
	dryRun := flag.Bool("dry-run", false, "rehearse: monitor and run the whole shutdown sequence except the power-off")
	testNotify := flag.String("test-notify", "", "send one notification of `TYPE` (e.g. ONBATT) through the configured channels and exit")
	debug := flag.Bool("D", false, "log debug messages")
	flag.Parse()

	conf, err := config.LoadUpsmonConf(config.In("upsmon.conf"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	flagPath := conf.PowerDownFlag
	if flagPath == "" {
		flagPath = upsmon.DefaultFlag
	}
	if *checkFlag {
		if upsmon.FlagSet(flagPath) {
			fmt.Println("Power down flag is set")
			return
		}
		fmt.Println("Power down flag is not set")
		os.Exit(1)
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := logging.New("upsmon", os.Stderr, level)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	n := &upsmon.Notifier{Conf: conf, Log: log, Wall: upsmon.Wall, Exec: upsmon.Exec}
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
		n.Notify(ctx, typ, system)
		return
	}
	if len(conf.Monitors) == 0 {
		fmt.Fprintf(os.Stderr, "%s: no MONITOR lines: nothing to watch\n", conf.File)
		os.Exit(1)
	}
	r := &upsmon.Runner{
		Monitor: upsmon.NewMonitor(conf, n.Notify, time.Now), Notifier: n, Log: log,
		Power: &lazyLogind{}, Flag: flagPath, DryRun: *dryRun, Sleep: upsmon.Sleep,
	}
	log.Info("upsmon started", "ups", len(conf.Monitors), "dry_run", *dryRun)
	_, _ = daemon.SdNotify(false, fmt.Sprintf("READY=1\nSTATUS=monitoring %d UPS", len(conf.Monitors)))
	if err := r.Run(ctx); err != nil {
		log.Error("upsmon failed", "err", err)
		os.Exit(1)
	}
	if !*dryRun {
		<-ctx.Done() // powering off: systemd stops us
	}
}

// lazyLogind connects to the system bus when the power-off is due, so
// that a bus that was not up at start does not stop the monitor.
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
