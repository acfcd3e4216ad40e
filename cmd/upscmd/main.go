// Command upscmd is sysnut's drop-in for NUT's upscmd. See upscmd(8).
package main

import (
	"context"
	"os"

	"github.com/sysnut/sysnut/internal/nutcli"
)

func main() {
	os.Exit(nutcli.Upscmd(context.Background(), nutcli.Stdio(), os.Args[1:]))
}
