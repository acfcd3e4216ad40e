package nutcli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
)

const upsrwUsage = `Network UPS Tools upsrw (%s)

usage: upsrw [-h]
       upsrw [-s <variable>] [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups>

Program to set variables within UPS hardware.

  -h            display this help text
  -s <variable>	specify variable to be changed
		use -s VAR=VALUE to avoid prompting for value
  -l            show all possible read/write variables.
  -u <username> set username for command authentication
  -p <password> set password for command authentication
  -w            wait for the completion of setting by the driver
                and return its actual result from the device
  -t <timeout>	set a timeout when using -w (in seconds, default: 10)

  <ups>         UPS identifier - <upsname>[@<hostname>[:<port>]]

Call without -s to show all possible read/write variables (same as -l).
`

// Upsrw runs upsrw with args and returns its exit status.
func Upsrw(ctx context.Context, e IO, args []string) int { return upsrw(ctx, e, args).code }

func upsrw(ctx context.Context, e IO, args []string) exit {
	if e.Stdin != nil {
		e.Stdin = lines(e.Stdin) // username, password and value share it
	}
	opts, rest, err := getopt(args, "s:lhu:p:t:wV")
	if err != nil {
		fmt.Fprintf(e.Stderr, "upsrw: %v\n", err)
		fmt.Fprintf(e.Stdout, upsrwUsage, Version)
		return exit{0}
	}
	a := adminOpts{timeout: 10 * time.Second}
	setvar := ""
	for _, o := range opts {
		if ok, x := a.take(e, o); ok {
			if x.code >= 0 {
				return x
			}
			continue
		}
		switch o.name {
		case 's':
			setvar = o.value
		case 'l':
		case 'V':
			fmt.Fprintf(e.Stderr, "Network UPS Tools upsrw (%s)\n", Version)
			return exit{0}
		default:
			fmt.Fprintf(e.Stdout, upsrwUsage, Version)
			return exit{0}
		}
	}
	if len(rest) < 1 {
		fmt.Fprintf(e.Stdout, upsrwUsage, Version)
		return exit{0}
	}
	c, ups, x, ok := e.connect(ctx, rest[0], badAdminUPS)
	if !ok {
		return x
	}
	defer c.Logout()
	if setvar == "" {
		return printRW(e, c, ups)
	}
	if x, ok := a.login(e, c, "set variable"); !ok {
		return x
	}
	name, value, found := strings.Cut(setvar, "=")
	if !found {
		fmt.Fprintf(e.Stdout, "Enter new value for %s: ", name)
		line, err := lines(e.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return e.fatal("Error reading from stdin!")
		}
		value = strings.TrimRight(line, "\r\n")
	}
	if err := c.Send("SET VAR " + ups + " " + name + " " + nutproto.Quote(value)); err != nil {
		return e.fatal("Can't set variable: %s", describe(err))
	}
	return a.result(e, c, "Set variable failed")
}

// printRW lists every writable variable with its description, type and
// value, in upsrw's format.
func printRW(e IO, c *nutclient.Client, ups string) exit {
	vars, err := c.RWVars(ups)
	if err != nil {
		return e.fatal("Error: %s", describe(err))
	}
	for _, v := range vars {
		fmt.Fprintf(e.Stdout, "[%s]\n", v.Name)
		w, err := c.Get("DESC", ups, v.Name)
		if err != nil || len(w) < 4 {
			fmt.Fprintf(e.Stdout, "Description unavailable\n")
		} else {
			fmt.Fprintf(e.Stdout, "%s\n", w[3])
		}
		if x := printType(e, c, ups, v); x.code != 0 {
			return x
		}
		fmt.Fprintln(e.Stdout)
	}
	return exit{0}
}

func printType(e IO, c *nutclient.Client, ups string, v nutclient.Variable) exit {
	w, err := c.Get("TYPE", ups, v.Name)
	if err != nil {
		return e.fatal("Error: %s", describe(err))
	}
	for _, t := range w[3:] {
		switch {
		case strings.EqualFold(t, "ENUM"):
			fmt.Fprintf(e.Stdout, "Type: ENUM\n")
			rows, err := c.List("ENUM", ups, v.Name)
			if err != nil {
				return e.fatal("Error: %s", describe(err))
			}
			for _, r := range rows {
				if len(r) < 4 {
					continue
				}
				sel := ""
				if r[3] == v.Value {
					sel = " SELECTED"
				}
				fmt.Fprintf(e.Stdout, "Option: \"%s\"%s\n", r[3], sel)
			}
			return exit{0}
		case strings.EqualFold(t, "RANGE"):
			fmt.Fprintf(e.Stdout, "Type: RANGE\n")
			rows, err := c.List("RANGE", ups, v.Name)
			if err != nil {
				return e.fatal("Error: %s", describe(err))
			}
			cur, _ := strconv.Atoi(v.Value)
			for _, r := range rows {
				if len(r) < 5 {
					continue
				}
				lo, _ := strconv.Atoi(r[3])
				hi, _ := strconv.Atoi(r[4])
				sel := ""
				if cur >= lo && cur <= hi {
					sel = " SELECTED"
				}
				fmt.Fprintf(e.Stdout, "Option: \"%s-%s\"%s\n", r[3], r[4], sel)
			}
			return exit{0}
		case len(t) > 7 && strings.EqualFold(t[:7], "STRING:"):
			fmt.Fprintf(e.Stdout, "Type: STRING\nMaximum length: %s\nValue: %s\n", t[7:], v.Value)
			return exit{0}
		case strings.EqualFold(t, "NUMBER"):
			fmt.Fprintf(e.Stdout, "Type: NUMBER\nValue: %s\n", v.Value)
			return exit{0}
		case strings.EqualFold(t, "RW"):
		default:
			fmt.Fprintf(e.Stdout, "Type: %s (unrecognized)\n", t)
		}
	}
	return exit{0}
}
