// Command sysnut-demo shows sysnut's main job in one unprivileged process:
// a simulated UPS, upsd on a local port, and a monitor that sees mains
// power fail and return.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sysnut/sysnut/internal/demo"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for upsd (port 0: any free port)")
	step := flag.Duration("step", demo.DefaultStep, "length of one scenario step")
	keep := flag.Bool("keep", false, "keep serving after the scenario, for upsc and friends")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := demo.Run(ctx, demo.Options{Listen: *listen, Step: *step, Keep: *keep, Out: os.Stdout}); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "sysnut-demo:", err)
		os.Exit(1)
	}
}
