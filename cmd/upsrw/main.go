// Command upsrw is sysnut's drop-in for NUT's upsrw. See upsrw(8).
package main

import (
	"context"
	"os"

	"github.com/sysnut/sysnut/internal/nutcli"
)

func main() {
	os.Exit(nutcli.Upsrw(context.Background(), nutcli.Stdio(), os.Args[1:]))
}
