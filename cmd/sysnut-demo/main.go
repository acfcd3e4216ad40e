// Command sysnut-demo shows sysnut's main job in one unprivileged process:
// a simulated UPS, upsd on a local port, and upsmon's decisions with
// logind replaced by a stand-in, through a power cut that outlasts the
// battery and one that does not.
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
	step := flag.Duration("step", demo.DefaultStep, "length of one scenario step (and of one of upsmon's seconds)")
	keep := flag.Bool("keep", false, "keep serving after the scenarios, for upsc, upscmd and upsrw")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := demo.Run(ctx, demo.Options{Listen: *listen, Step: *step, Keep: *keep, Out: os.Stdout}); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "sysnut-demo:", err)
		os.Exit(1)
	}
}
