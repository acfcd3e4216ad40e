// Command ups-metrics is a Prometheus endpoint for upsd's UPSes, drop-in
// for nut_exporter. See ups-metrics(8).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/metrics"
	"github.com/sysnut/sysnut/internal/version"
	"github.com/sysnut/sysnut/internal/webserve"
)

func main() {
	cfg, err := metrics.ParseFlags(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ups-metrics:", err)
		os.Exit(2)
	}
	if cfg.Version {
		fmt.Println("ups-metrics sysnut-" + version.Release)
		return
	}
	log := logging.New("ups-metrics", os.Stderr, cfg.LogLevel)
	ls, err := webserve.Listeners(cfg.Listen)
	if err != nil {
		log.Error("cannot listen", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	h := metrics.NewHandler(cfg.Opts, log)
	h.UPSPath, h.AllPath = cfg.UPSPath, cfg.AllPath
	log.Info("serving metrics", "upsd", cfg.Opts.Server.Addr, "sockets", len(ls))
	_, _ = daemon.SdNotify(false, daemon.SdNotifyReady)
	if err := webserve.Serve(ctx, ls, h); err != nil {
		log.Error("ups-metrics failed", "err", err)
		os.Exit(1)
	}
}
