// Command upsctl queries and changes UPSes through sysnut's D-Bus service.
// See upsctl(1).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/upsctl"
)

func main() {
	ctx := context.Background()
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		fmt.Fprintln(os.Stderr, "Failed to connect to the system bus:", err)
		os.Exit(1)
	}
	defer conn.Close()
	os.Exit(upsctl.Run(ctx, conn, os.Args[1:], os.Stdout, os.Stderr))
}
