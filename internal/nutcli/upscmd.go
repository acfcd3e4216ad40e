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

const upscmdUsage = `Network UPS Tools upscmd (%s)

usage: upscmd [-h]
       upscmd [-l <ups>]
       upscmd [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups> <command> [<value>]

Administration program to initiate instant commands on UPS hardware.

  -h		display this help text
  -l <ups>	show available commands on UPS <ups>
  -u <username>	set username for command authentication
  -p <password>	set password for command authentication
  -w            wait for the completion of command by the driver
                and return its actual result from the device
  -t <timeout>	set a timeout when using -w (in seconds, default: 10)

  <ups>		UPS identifier - <upsname>[@<hostname>[:<port>]]
  <command>	Valid instant command - test.panel.start, etc.
  [<value>]	Additional data for command - number of seconds, etc.
`

// adminOpts are the options upscmd and upsrw share.
type adminOpts struct {
	user, pass         string
	haveUser, havePass bool
	wait               bool
	timeout            time.Duration
}

func (a *adminOpts) take(e IO, o opt) (bool, exit) {
	switch o.name {
	case 'u':
		a.user, a.haveUser = o.value, true
	case 'p':
		a.pass, a.havePass = o.value, true
	case 'w':
		a.wait = true
	case 't':
		n, err := strconv.Atoi(o.value)
		if err != nil || n < 0 {
			return true, e.fatal("Error: invalid timeout %q", o.value)
		}
		a.timeout = time.Duration(n) * time.Second
	default:
		return false, exit{}
	}
	return true, exit{-1}
}

// login prompts for missing credentials, authenticates and, with -w,
// turns tracking on.
func (a *adminOpts) login(e IO, c *nutclient.Client, what string) (exit, bool) {
	user, pass, err := e.credentials(a.user, a.pass, a.haveUser, a.havePass)
	if err != nil {
		return e.fatal("Error: %v", err), false
	}
	if err := c.Authenticate(user, pass); err != nil {
		return e.fatal("%s", err), false
	}
	if a.wait {
		if err := c.Send("SET TRACKING ON"); err != nil {
			return e.fatal("Can't enable %s tracking: %s", what, describe(err)), false
		}
		line, err := c.ReadLine()
		if err != nil {
			return e.fatal("Enabling %s tracking failed: %s", what, describe(err)), false
		}
		if !strings.HasPrefix(line, "OK") {
			return e.fatal("Enabling %s tracking failed. upsd answered: %s", what, line), false
		}
	}
	return exit{}, true
}

// result reads the reply to SET or INSTCMD and, with -w, follows its
// tracking id; the outcome goes to stderr, as NUT's tools print it.
func (a *adminOpts) result(e IO, c *nutclient.Client, failed string) exit {
	line, err := c.ReadLine()
	if err != nil {
		return e.fatal("%s: %s", failed, describe(err))
	}
	if !strings.HasPrefix(line, "OK") {
		return e.fatal("Unexpected response from upsd: %s", line)
	}
	if !a.wait || len(line) < uuidLen+len("OK TRACKING ") {
		fmt.Fprintln(e.Stderr, line)
		return exit{0}
	}
	id := line[len("OK TRACKING "):]
	final, err := waitTracking(c, id, a.timeout)
	if err != nil {
		return e.fatal("Can't receive status tracking information: %s", describe(err))
	}
	fmt.Fprintln(e.Stderr, final)
	return exit{0}
}

// Upscmd runs upscmd with args and returns its exit status.
func Upscmd(ctx context.Context, e IO, args []string) int { return upscmd(ctx, e, args).code }

func upscmd(ctx context.Context, e IO, args []string) exit {
	opts, rest, err := getopt(args, "lhu:p:t:wV")
	if err != nil {
		fmt.Fprintf(e.Stderr, "upscmd: %v\n", err)
		fmt.Fprintf(e.Stdout, upscmdUsage, Version)
		return exit{0}
	}
	a := adminOpts{timeout: 10 * time.Second}
	list := false
	for _, o := range opts {
		if ok, x := a.take(e, o); ok {
			if x.code >= 0 {
				return x
			}
			continue
		}
		switch o.name {
		case 'l':
			list = true
		case 'V':
			fmt.Fprintf(e.Stderr, "Network UPS Tools upscmd (%s)\n", Version)
			return exit{0}
		default:
			fmt.Fprintf(e.Stdout, upscmdUsage, Version)
			return exit{0}
		}
	}
	if len(rest) < 1 {
		fmt.Fprintf(e.Stdout, upscmdUsage, Version)
		return exit{0}
	}
	c, ups, x, ok := e.connect(ctx, rest[0], badAdminUPS)
	if !ok {
		return x
	}
	defer c.Logout()
	if list {
		rows, err := c.List("CMD", ups)
		if err != nil {
			return e.fatal("Error: %s", describe(err))
		}
		fmt.Fprintf(e.Stdout, "Instant commands supported on UPS [%s]:\n\n", ups)
		for _, r := range rows {
			if len(r) < 3 {
				return e.fatal("Error: insufficient data (got %d args, need at least 3)", len(r))
			}
			w, err := c.Get("CMDDESC", ups, r[2])
			if err != nil {
				return e.fatal("Error: %s", describe(err))
			}
			if len(w) < 4 {
				return e.fatal("Error: insufficient data (got %d args, need at least 4)", len(w))
			}
			fmt.Fprintf(e.Stdout, "%s - %s\n", r[2], w[3])
		}
		return exit{0}
	}
	if len(rest) < 2 {
		fmt.Fprintf(e.Stdout, upscmdUsage, Version)
		return exit{0}
	}
	cmd := rest[1]
	if !strings.Contains(cmd, ".") {
		return e.fatal("Error: old command names are not supported")
	}
	if x, ok := a.login(e, c, "instant command"); !ok {
		return x
	}
	line := "INSTCMD " + ups + " " + cmd
	if len(rest) > 2 {
		line += " " + nutproto.Quote(rest[2])
	}
	if err := c.Send(line); err != nil {
		return e.fatal("Can't send instant command: %s", describe(err))
	}
	return a.result(e, c, "Instant command failed")
}
