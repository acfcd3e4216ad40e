// Command ups-dashboard serves a read-only web page of the UPSes upsd
// serves: their state, charts and outage history. See ups-dashboard(8).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/sysnut/sysnut/internal/dashboard"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/version"
	"github.com/sysnut/sysnut/internal/webserve"
)

func main() {
	cfg, err := dashboard.ParseFlags(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ups-dashboard:", err)
		os.Exit(2)
	}
	if cfg.Version {
		fmt.Println("ups-dashboard sysnut-" + version.Release)
		return
	}
	log := logging.New("ups-dashboard", os.Stderr, slog.LevelInfo)
	if err := run(cfg, log); err != nil {
		log.Error("ups-dashboard failed", "err", err)
		os.Exit(1)
	}
}

func run(cfg *dashboard.Config, log *slog.Logger) error {
	ls, err := webserve.Listeners([]string{cfg.Listen})
	if err != nil {
		return fmt.Errorf("cannot listen: %w", err)
	}
	store, err := dashboard.OpenStore(cfg.StateDir, log)
	if err != nil {
		return fmt.Errorf("history in %s: %w", cfg.StateDir, err)
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	s := &dashboard.Sampler{Server: cfg.Server, Store: store, Log: log, Every: cfg.Every}
	h := &dashboard.Handler{Sampler: s, Store: store, Log: log}
	if cfg.Journalctl != "none" {
		h.Events = func(ctx context.Context, q events.Query) ([]events.Event, error) {
			return events.Journal(ctx, cfg.Journalctl, q)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	log.Info("serving the dashboard", "upsd", cfg.Server.Addr, "history", cfg.StateDir, "sockets", len(ls))
	_, _ = daemon.SdNotify(false, daemon.SdNotifyReady)
	err = webserve.Serve(ctx, ls, h)
	stop()
	wg.Wait()
	return err
}
