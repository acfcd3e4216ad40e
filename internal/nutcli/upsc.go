package nutcli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
)

const upscUsage = `Network UPS Tools upsc (%s)

usage: upsc -l | -L [<hostname>[:port]]
       upsc <ups> [<variable>]
       upsc -c <ups>
       upsc -j ...        (JSON output, with any of the above)

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

Common arguments:
  -j         - output in JSON format, as NUT 2.8.5's upsc prints it
`

// Upsc runs upsc with args (without the program name) and returns its
// exit status.
func Upsc(ctx context.Context, e IO, args []string) int { return upsc(ctx, e, args).code }

func upsc(ctx context.Context, e IO, args []string) exit {
	opts, rest, err := getopt(args, "hlLcVj")
	if err != nil {
		fmt.Fprintf(e.Stderr, "upsc: %v\n", err)
		fmt.Fprintf(e.Stdout, upscUsage, Version)
		return exit{0}
	}
	var list, verbose, clients, js bool
	for _, o := range opts {
		switch o.name {
		case 'j':
			js = true
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
	// fail is NUT's fatalx_error_json_simple: the message on stderr and,
	// with -j, as {"error": ...} on stdout.
	fail := func(msg string) exit {
		if js {
			fmt.Fprintf(e.Stdout, "{\"error\": \"%s\"}\n", jsonEscape(msg))
		}
		return e.fatal("Error: %s", msg)
	}
	if list {
		host := "localhost"
		if len(rest) > 0 {
			host = rest[0]
		}
		addr, err := nutclient.SplitAddr(host)
		if err != nil {
			return fail("invalid hostname.\nRequired format: [hostname[:port]]")
		}
		c, err := e.dial(ctx, addr)
		if err != nil {
			return fail(describe(err))
		}
		defer c.Logout()
		rows, err := c.List("UPS")
		if err != nil {
			return fail(describe(err))
		}
		l := jsonList{w: e.Stdout, on: js, object: verbose}
		for _, r := range rows {
			if len(r) < 3 {
				return e.fatal("Error: insufficient data (got %d args, need at least 3)", len(r))
			}
			switch {
			case js:
				l.item(r[1], r[2])
			case verbose:
				fmt.Fprintf(e.Stdout, "%s: %s\n", r[1], r[2])
			default:
				fmt.Fprintf(e.Stdout, "%s\n", r[1])
			}
		}
		l.end()
		return exit{0}
	}
	if len(rest) < 1 {
		return fail("invalid UPS definition.\nRequired format: upsname[@hostname[:port]]")
	}
	ups, addr, err := nutclient.SplitName(rest[0])
	if err != nil {
		return fail("invalid UPS definition.\nRequired format: upsname[@hostname[:port]]")
	}
	c, err := e.dial(ctx, addr)
	if err != nil {
		return fail(describe(err))
	}
	defer c.Logout()
	if clients {
		rows, err := c.List("CLIENT", ups)
		if err != nil {
			return fail(describe(err))
		}
		l := jsonList{w: e.Stdout, on: js}
		for _, r := range rows {
			if len(r) < 3 {
				return e.fatal("Error: insufficient data (got %d args, need at least 3)", len(r))
			}
			if js {
				l.item(r[2], "")
			} else {
				fmt.Fprintf(e.Stdout, "%s\n", r[2])
			}
		}
		l.end()
		return exit{0}
	}
	if len(rest) > 1 {
		v := rest[1]
		if !strings.Contains(v, ".") {
			return fail("old-style variable names are not supported")
		}
		w, err := c.Get("VAR", ups, nutproto.Escape(v))
		if err != nil {
			return fail(describe(err))
		}
		if len(w) < 4 {
			return fail(fmt.Sprintf("insufficient data (got %d args, need at least 4)", len(w)))
		}
		if js {
			fmt.Fprintf(e.Stdout, "\"%s\"\n", jsonEscape(w[3]))
		} else {
			fmt.Fprintf(e.Stdout, "%s\n", w[3])
		}
		return exit{0}
	}
	if js {
		fmt.Fprint(e.Stdout, "{\n")
	}
	rows, err := c.List("VAR", ups)
	if err != nil {
		if js {
			fmt.Fprintf(e.Stdout, "  \"error\": \"%s\"\n}\n", jsonEscape(describe(err)))
		}
		return e.fatal("Error: %s", describe(err))
	}
	l := jsonList{w: e.Stdout, on: js, object: true, opened: true}
	for _, r := range rows {
		if len(r) < 4 {
			return e.fatal("Error: insufficient data (got %d args, need at least 4)", len(r))
		}
		if js {
			l.item(r[2], r[3])
		} else {
			fmt.Fprintf(e.Stdout, "%s: %s\n", r[2], r[3])
		}
	}
	l.end()
	return exit{0}
}

// jsonList prints a JSON array of strings, or an object of string values,
// in the layout of NUT's upsc -j: one item a line, two spaces in.
type jsonList struct {
	w      io.Writer
	on     bool // -j given; otherwise nothing is printed
	object bool // name: value pairs, not a list
	opened bool // the opening bracket is out
	n      int
}

func (l *jsonList) open() {
	if !l.opened {
		l.opened = true
		if l.object {
			fmt.Fprint(l.w, "{\n")
		} else {
			fmt.Fprint(l.w, "[\n")
		}
	}
}

func (l *jsonList) item(name, value string) {
	l.open()
	if l.n > 0 {
		fmt.Fprint(l.w, ",\n")
	}
	l.n++
	if l.object {
		fmt.Fprintf(l.w, "  \"%s\": \"%s\"", jsonEscape(name), jsonEscape(value))
	} else {
		fmt.Fprintf(l.w, "  \"%s\"", jsonEscape(name))
	}
}

func (l *jsonList) end() {
	if !l.on {
		return
	}
	l.open()
	if l.object {
		fmt.Fprint(l.w, "\n}\n")
	} else {
		fmt.Fprint(l.w, "\n]\n")
	}
}

// jsonEscape escapes as NUT's json_print_esc: quotes, backslashes, the
// usual control characters by name, the others as \u00XX.
func jsonEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}
