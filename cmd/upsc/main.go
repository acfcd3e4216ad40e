// Command upsc is sysnut's drop-in for NUT's upsc. See upsc(8).
package main

import (
	"context"
	"os"

	"github.com/sysnut/sysnut/internal/nutcli"
)

func main() {
	os.Exit(nutcli.Upsc(context.Background(), nutcli.Stdio(), os.Args[1:]))
}
