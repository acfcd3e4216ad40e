package nutcli

import (
	"context"
	"fmt"
	"strings"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
)

const upscUsage = `Network UPS Tools upsc (%s)

usage: upsc -l | -L [<hostname>[:port]]
       upsc <ups> [<variable>]
       upsc -c <ups>

Program to display UPS variables.

First form (lists UPSes):
  -l         - lists each UPS on <hostname>, one per line.
  -L         - lists each UPS followed by its description (from ups.conf).
               Default hostname: localhost

Second form (lists variables and values):
  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form
  <variable> - optional, display this variable only.
               Default: list all variables for <host>

Third form (lists clients connected to a device):
  -c         - lists each client connected on <ups>, one per line.
  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form
`

const badUPS = "Error: invalid UPS definition.\nRequired format: upsname[@hostname[:port]]"

// Upsc runs upsc with args (without the program name) and returns its
// exit status.
func Upsc(ctx context.Context, e IO, args []string) int { return upsc(ctx, e, args).code }

func upsc(ctx context.Context, e IO, args []string) exit {
	opts, rest, err := getopt(args, "hlLcV")
	if err != nil {
		fmt.Fprintf(e.Stderr, "upsc: %v\n", err)
		fmt.Fprintf(e.Stdout, upscUsage, Version)
		return exit{0}
	}
	var list, verbose, clients bool
	for _, o := range opts {
		switch o.name {
		case 'l':
			list = true
		case 'L':
			list, verbose = true, true
		case 'c':
			clients = true
		case 'V':
			fmt.Fprintf(e.Stderr, "Network UPS Tools upsc (%s)\n", Version)
			return exit{0}
		case 'h':
			fmt.Fprintf(e.Stdout, upscUsage, Version)
			return exit{0}
		}
	}
	if list {
		host := "localhost"
		if len(rest) > 0 {
			host = rest[0]
		}
		addr, err := nutclient.SplitAddr(host)
		if err != nil {
			return e.fatal("Error: invalid hostname.\nRequired format: [hostname[:port]]")
		}
		c, err := e.dial(ctx, addr)
		if err != nil {
			return e.fatal("Error: %s", describe(err))
		}
		defer c.Logout()
		rows, err := c.List("UPS")
		if err != nil {
			return e.fatal("Error: %s", describe(err))
		}
		for _, r := range rows {
			if len(r) < 3 {
				return e.fatal("Error: insufficient data (got %d args, need at least 3)", len(r))
			}
			if verbose {
				fmt.Fprintf(e.Stdout, "%s: %s\n", r[1], r[2])
			} else {
				fmt.Fprintf(e.Stdout, "%s\n", r[1])
			}
		}
		return exit{0}
	}
	if len(rest) < 1 {
		return e.fatal(badUPS)
	}
	c, ups, x, ok := e.connect(ctx, rest[0], badUPS)
	if !ok {
		return x
	}
	defer c.Logout()
	if clients {
		rows, err := c.List("CLIENT", ups)
		if err != nil {
			return e.fatal("Error: %s", describe(err))
		}
		for _, r := range rows {
			if len(r) < 3 {
				return e.fatal("Error: insufficient data (got %d args, need at least 3)", len(r))
			}
			fmt.Fprintf(e.Stdout, "%s\n", r[2])
		}
		return exit{0}
	}
	if len(rest) > 1 {
		v := rest[1]
		if !strings.Contains(v, ".") {
			return e.fatal("Error: old-style variable names are not supported")
		}
		w, err := c.Get("VAR", ups, nutproto.Escape(v))
		if err != nil {
			return e.fatal("Error: %s", describe(err))
		}
		if len(w) < 4 {
			return e.fatal("Error: insufficient data (got %d args, need at least 4)", len(w))
		}
		fmt.Fprintf(e.Stdout, "%s\n", w[3])
		return exit{0}
	}
	rows, err := c.List("VAR", ups)
	if err != nil {
		return e.fatal("Error: %s", describe(err))
	}
	for _, r := range rows {
		if len(r) < 4 {
			return e.fatal("Error: insufficient data (got %d args, need at least 4)", len(r))
		}
		fmt.Fprintf(e.Stdout, "%s: %s\n", r[2], r[3])
	}
	return exit{0}
}
