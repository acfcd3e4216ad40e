// Command sysnut-dbus is sysnut's D-Bus service, org.sysnut.UPS1, started
// by bus activation (sysnut-dbus.service). See sysnut-dbus(8).
package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/dbusapi"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/logging"
	"github.com/sysnut/sysnut/internal/nuttls"
	"github.com/sysnut/sysnut/internal/polkit"
)

func main() {
	addr := flag.String("upsd", "localhost:3493", "upsd to serve, `host:port`")
	user := flag.String("user", dbusapi.DefaultUser, "upsd.users account used for changes")
	upsmon := flag.String("upsmon", "/usr/bin/upsmon", "upsmon binary, for test notifications")
	flag.Parse()
	log := logging.Stderr("sysnut-dbus")
	if err := run(*addr, *user, *upsmon, log); err != nil {
		log.Error("sysnut-dbus failed", "err", err)
		os.Exit(1)
	}
}

func run(addr, user, upsmon string, log *slog.Logger) error {
	policy, err := nuttls.ClientFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	backend := &dbusapi.NUT{Addr: addr, Upsmon: upsmon, TLS: policy}
	// The password comes from upsd.users, passed with LoadCredential= so
	// that this static user needs no access to /etc/nut.
	path := config.Credential(filepath.Join(config.ConfPath(), "upsd.users"))
	users, err := config.LoadUsers(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		log.Warn("no "+path+": changes through the bus are disabled; add ["+user+"] to upsd.users, then "+dbusapi.RestartHint, "file", path)
	case err != nil:
		return err
	case users.Find(user) == nil:
		log.Warn(path+" has no account "+user+" for the bus service: changes are disabled; add ["+user+"] to upsd.users, then "+dbusapi.RestartHint, "file", path, "user", user)
	default:
		backend.User, backend.Password = user, users.Find(user).Password
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		return err
	}
	defer conn.Close()
	svc := &dbusapi.Service{Conn: conn, Backend: backend, Auth: polkit.New(conn), Log: log,
		Events: func(ctx context.Context, q events.Query) ([]events.Event, error) { return events.Journal(ctx, "", q) }}
	return svc.Run(ctx)
}
