// Command ups-metrics is a Prometheus endpoint for upsd's UPSes, drop-in
// for nut_exporter. See ups-metrics(8).
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/metrics"
	"github.com/sysnut/sysnut/internal/version"
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
	ls, err := activation.Listeners()
	if err == nil && len(ls) == 0 {
		for _, a := range cfg.Listen {
			l, lerr := net.Listen("tcp", a)
			if lerr != nil {
				err = lerr
				break
			}
			ls = append(ls, l)
		}
	}
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
	if err := metrics.Serve(ctx, ls, h); err != nil {
		log.Error("ups-metrics failed", "err", err)
		os.Exit(1)
	}
}
