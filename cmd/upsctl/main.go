// Command upsctl queries and changes UPSes through sysnut's D-Bus service.
// See upsctl(1).
package main

import (
	"context"
	"os"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/upsctl"
)

func main() {
	dial := func(ctx context.Context) (*dbus.Conn, error) { return dbus.ConnectSystemBus(dbus.WithContext(ctx)) }
	os.Exit(upsctl.Run(context.Background(), dial, os.Args[1:], os.Stdout, os.Stderr))
}
