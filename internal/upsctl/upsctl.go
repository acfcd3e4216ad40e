// Package upsctl is the upsctl command: a local administrator's view of
// the UPSes through sysnut's D-Bus service, like timedatectl for timedated.
// Reading needs no privilege; changes are authorised by polkit in the
// service.
package upsctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/upsbus"
)

const usage = `upsctl [OPTIONS...] [COMMAND] ...

Query or change the UPSes that sysnut serves, through org.sysnut.UPS1.

Options:
  -h --help                   Show this help
     --no-ask-password        Do not ask for a password (polkit refuses
                              instead of prompting)
     --no-pager               Accepted; upsctl never pages
  -o --output=json            Print status, list, show, commands and events
                              as JSON
     --since=TIME, --until=TIME
                              events: only those overlapping the span
                              ("2026-11-30", "2026-11-30 18:00", "yesterday",
                              "today", "-2h", "@UNIXTIME"), as journalctl
     --ups=UPS                events: only this UPS's (name or ups@host)

Commands:
  status [UPS...]             Show a summary of each UPS (default)
  list                        List the UPSes
  show UPS                    Show every variable of a UPS
  commands UPS                List a UPS's instant commands
  command UPS CMD [PARAM]     Run an instant command (polkit: instant-command)
  set UPS VARIABLE VALUE      Set a writable variable (polkit: set-variable)
  fsd UPS                     Forced shutdown of everything the UPS powers
  test-notification TYPE      Send a test notification (e.g. ONBATT)
  events                      List power events from the journal: outages
                              (start, end, duration, lowest charge), lost
                              connections, self-tests, battery warnings,
                              forced shutdowns
  help                        Show this help
`

// Dial connects to the system bus; Run calls it only when a command needs
// the bus, so that help works without one.
type Dial func(ctx context.Context) (*dbus.Conn, error)

// options are systemd-style: anywhere on the command line.
type options struct {
	askPassword  bool
	json         bool
	since, until time.Time
	ups          string
}

// parseArgs splits options from the command and its arguments.
func parseArgs(args []string, now time.Time) (options, []string, error) {
	o := options{askPassword: true}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--no-ask-password":
			o.askPassword = false
		case a == "--no-pager":
		case a == "-h" || a == "--help":
			rest = append([]string{"help"}, rest...)
		case a == "-o" || a == "--output":
			if i+1 == len(args) {
				return o, nil, fmt.Errorf("%s needs a value (json)", a)
			}
			i++
			if err := o.output(args[i]); err != nil {
				return o, nil, err
			}
		case strings.HasPrefix(a, "--output="):
			if err := o.output(strings.TrimPrefix(a, "--output=")); err != nil {
				return o, nil, err
			}
		case strings.HasPrefix(a, "-o") && len(a) > 2:
			if err := o.output(a[2:]); err != nil {
				return o, nil, err
			}
		case valued(a, "--since", "--until", "--ups"):
			name, v, ok := strings.Cut(a, "=")
			if !ok {
				if i+1 == len(args) {
					return o, nil, fmt.Errorf("%s needs a value", a)
				}
				i++
				v = args[i]
			}
			if err := o.set(name, v, now); err != nil {
				return o, nil, err
			}
		case strings.HasPrefix(a, "-") && a != "-":
			return o, nil, fmt.Errorf("unknown option %s; see upsctl --help", a)
		default:
			rest = append(rest, a)
		}
	}
	return o, rest, nil
}

// valued says whether a is one of the options that take a value, as
// --name=value or --name value.
func valued(a string, names ...string) bool {
	name, _, _ := strings.Cut(a, "=")
	return slices.Contains(names, name)
}

func (o *options) set(name, v string, now time.Time) error {
	if name == "--ups" {
		o.ups = v
		return nil
	}
	t, err := ParseTime(v, now)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if name == "--since" {
		o.since = t
	} else {
		o.until = t
	}
	return nil
}

func (o *options) output(v string) error {
	switch v {
	case "json", "json-pretty":
		o.json = true
	case "short", "text":
		o.json = false
	default:
		return fmt.Errorf("unknown output mode %q (json)", v)
	}
	return nil
}

// Run executes upsctl with args, connecting with dial when the command
// needs the bus, printing to out and errOut, and returns the exit status:
// 0, 1 for a failure, 2 for a usage error.
func Run(ctx context.Context, dial Dial, args []string, out, errOut io.Writer) int {
	fail := func(code int, err error) int {
		// Sentences for people, as systemd's tools print them.
		msg := err.Error()
		fmt.Fprintln(errOut, strings.ToUpper(msg[:1])+msg[1:])
		return code
	}
	opts, args, err := parseArgs(args, time.Now())
	if err != nil {
		return fail(2, err)
	}
	cmd := "status"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" {
		fmt.Fprint(out, usage)
		return 0
	}
	if !slices.Contains([]string{"status", "list", "show", "commands", "command", "set", "fsd", "test-notification", "events"}, cmd) {
		return fail(2, fmt.Errorf("unknown command %q; see upsctl --help", cmd))
	}
	conn, err := dial(ctx)
	if err != nil {
		return fail(1, fmt.Errorf("failed to connect to the system bus: %w", err))
	}
	c := &ctl{conn: conn, out: out, opts: opts}
	want := func(min, max int) bool {
		if len(args) < min || max >= 0 && len(args) > max {
			err = fmt.Errorf("%s: wrong number of arguments; see upsctl --help", cmd)
			return false
		}
		return true
	}
	if len(args) > 0 && cmd != "status" && cmd != "list" && cmd != "test-notification" && cmd != "events" {
		if err := c.known(ctx, args[0]); err != nil {
			return fail(1, err)
		}
	}
	switch cmd {
	case "status":
		err = c.status(ctx, args)
	case "list":
		if want(0, 0) {
			err = c.list(ctx)
		}
	case "show":
		if want(1, 1) {
			err = c.show(ctx, args[0])
		}
	case "commands":
		if want(1, 1) {
			err = c.commands(ctx, args[0])
		}
	case "command":
		if want(2, 3) {
			param := ""
			if len(args) == 3 {
				param = args[2]
			}
			err = c.call(ctx, args[0], "InstantCommand", "run instant command", args[1], param)
		}
	case "set":
		if want(3, 3) {
			err = c.call(ctx, args[0], "SetVariable", "set variable", args[1], args[2])
		}
	case "fsd":
		if want(1, 1) {
			err = c.call(ctx, args[0], "ForcedShutdown", "request forced shutdown")
		}
	case "events":
		if want(0, 0) {
			err = c.events(ctx)
		}
	case "test-notification":
		if want(1, 1) {
			if err = c.change(ctx, c.manager(), upsbus.ManagerIface+".TestNotification", strings.ToUpper(args[0])); err != nil {
				err = fmt.Errorf("failed to send test notification: %w", err)
			}
		}
	}
	if err != nil {
		if strings.Contains(err.Error(), "wrong number of arguments") {
			return fail(2, err)
		}
		return fail(1, err)
	}
	return 0
}

type ctl struct {
	conn *dbus.Conn
	out  io.Writer
	opts options
}

// known checks that ups is served, so that a typo reads "Unknown UPS"
// instead of a D-Bus error about an object path.
func (c *ctl) known(ctx context.Context, ups string) error {
	l, err := c.upsList(ctx)
	if err != nil {
		return err
	}
	for _, e := range l {
		if strings.EqualFold(e.Name, ups) {
			return nil
		}
	}
	return fmt.Errorf("unknown UPS %q; upsctl list shows the UPSes", ups)
}

// printJSON writes v as one JSON document.
func (c *ctl) printJSON(v any) error {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (c *ctl) manager() dbus.BusObject { return c.conn.Object(upsbus.BusName, upsbus.ManagerPath) }

func (c *ctl) device(ups string) dbus.BusObject {
	return c.conn.Object(upsbus.BusName, upsbus.ObjectPath(ups))
}

type entry struct {
	Name, Desc string
	Path       dbus.ObjectPath
}

func (c *ctl) upsList(ctx context.Context) ([]entry, error) {
	var l []entry
	if err := c.manager().CallWithContext(ctx, upsbus.ManagerIface+".ListUPS", 0).Store(&l); err != nil {
		return nil, fmt.Errorf("failed to list UPSes: %w", describe(err))
	}
	return l, nil
}

func (c *ctl) list(ctx context.Context) error {
	l, err := c.upsList(ctx)
	if err != nil {
		return err
	}
	if c.opts.json {
		type item struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		}
		items := []item{}
		for _, e := range l {
			items = append(items, item{e.Name, e.Desc})
		}
		return c.printJSON(items)
	}
	for _, e := range l {
		fmt.Fprintf(c.out, "%s\t%s\n", e.Name, e.Desc)
	}
	return nil
}

// vars reads a UPS's Variables property.
func (c *ctl) vars(ctx context.Context, ups string) (map[string]string, error) {
	v, err := c.device(ups).GetProperty(upsbus.DeviceIface + ".Variables")
	if err != nil {
		return nil, fmt.Errorf("failed to read UPS %s: %w", ups, describe(err))
	}
	m, ok := v.Value().(map[string]string)
	if !ok {
		return nil, fmt.Errorf("UPS %s: Variables has type %s", ups, v.Signature())
	}
	return m, nil
}

func (c *ctl) show(ctx context.Context, ups string) error {
	m, err := c.vars(ctx, ups)
	if err != nil {
		return err
	}
	if c.opts.json {
		return c.printJSON(m)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(c.out, "%s: %s\n", k, m[k])
	}
	return nil
}

// statusWords spell out NUT's status tokens.
var statusWords = map[string]string{
	"OL": "online", "OB": "on battery", "LB": "low battery", "HB": "high battery",
	"RB": "replace battery", "CHRG": "charging", "DISCHRG": "discharging", "BYPASS": "bypass",
	"CAL": "calibrating", "OFF": "off", "OVER": "overloaded", "TRIM": "trimming voltage",
	"BOOST": "boosting voltage", "FSD": "forced shutdown", "ALARM": "alarm",
}

func (c *ctl) status(ctx context.Context, names []string) error {
	if len(names) == 0 {
		l, err := c.upsList(ctx)
		if err != nil {
			return err
		}
		for _, e := range l {
			names = append(names, e.Name)
		}
	}
	if c.opts.json {
		type item struct {
			Name      string            `json:"name"`
			Status    string            `json:"status"`
			Variables map[string]string `json:"variables"`
		}
		items := []item{}
		for _, ups := range names {
			if err := c.known(ctx, ups); err != nil {
				return err
			}
			m, err := c.vars(ctx, ups)
			if err != nil {
				return err
			}
			items = append(items, item{ups, m["ups.status"], m})
		}
		return c.printJSON(items)
	}
	for i, ups := range names {
		if err := c.known(ctx, ups); err != nil {
			return err
		}
		m, err := c.vars(ctx, ups)
		if err != nil {
			return err
		}
		if i > 0 {
			fmt.Fprintln(c.out)
		}
		st := m["ups.status"]
		var words []string
		for _, t := range strings.Fields(st) {
			if w, ok := statusWords[t]; ok {
				words = append(words, w)
			}
		}
		line := func(label, v string) {
			if v != "" {
				fmt.Fprintf(c.out, "%16s: %s\n", label, v)
			}
		}
		line("UPS", ups)
		line("Model", strings.TrimSpace(m["device.mfr"]+" "+m["device.model"]))
		if st == "" {
			st = "unknown (driver not connected)"
		} else if len(words) > 0 {
			st += " (" + strings.Join(words, ", ") + ")"
		}
		line("Status", st)
		if v := m["battery.charge"]; v != "" {
			line("Battery charge", v+" %")
		}
		if v := m["battery.runtime"]; v != "" {
			line("Battery runtime", v+" s")
		}
		if v := m["ups.load"]; v != "" {
			line("Load", v+" %")
		}
		line("Input voltage", m["input.voltage"])
	}
	return nil
}

func (c *ctl) commands(ctx context.Context, ups string) error {
	var cmds []string
	if err := c.device(ups).CallWithContext(ctx, upsbus.DeviceIface+".ListCommands", 0).Store(&cmds); err != nil {
		return fmt.Errorf("failed to list commands of %s: %w", ups, describe(err))
	}
	if c.opts.json {
		if cmds == nil {
			cmds = []string{}
		}
		return c.printJSON(cmds)
	}
	for _, cmd := range cmds {
		fmt.Fprintln(c.out, cmd)
	}
	return nil
}

// call invokes a change on a UPS object.
func (c *ctl) call(ctx context.Context, ups, method, what string, args ...any) error {
	if err := c.change(ctx, c.device(ups), upsbus.DeviceIface+"."+method, args...); err != nil {
		return fmt.Errorf("failed to %s on %s: %w", what, ups, err)
	}
	return nil
}

// change calls a method that polkit checks, with a text agent running
// on the terminal so that polkit can ask for a password.
// With --no-ask-password neither the agent nor interactive authorization.
func (c *ctl) change(ctx context.Context, obj dbus.BusObject, method string, args ...any) error {
	if !c.opts.askPassword {
		return describe(c.callWithFlags(ctx, obj, method, 0, args...))
	}
	stop, err := startAgent(agentPath, os.Stdin)
	if err != nil {
		return err
	}
	defer stop()
	return describe(c.callWithFlags(ctx, obj, method, dbus.FlagAllowInteractiveAuthorization, args...))
}

// callWithFlags calls method with the given header flags. godbus's
// Object.Call drops ALLOW_INTERACTIVE_AUTHORIZATION, which tells the
// service that polkit may ask for a password, so the message is built here.
func (c *ctl) callWithFlags(ctx context.Context, obj dbus.BusObject, method string, flags dbus.Flags, args ...any) error {
	i := strings.LastIndexByte(method, '.')
	msg := &dbus.Message{Type: dbus.TypeMethodCall, Flags: flags, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldPath:        dbus.MakeVariant(obj.Path()),
		dbus.FieldDestination: dbus.MakeVariant(obj.Destination()),
		dbus.FieldInterface:   dbus.MakeVariant(method[:i]),
		dbus.FieldMember:      dbus.MakeVariant(method[i+1:]),
	}, Body: args}
	if len(args) > 0 {
		msg.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(args...))
	}
	call := c.conn.SendWithContext(ctx, msg, make(chan *dbus.Call, 1))
	select {
	case done := <-call.Done:
		return done.Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// describe keeps the message of a D-Bus error, which is what users need.
func describe(err error) error {
	var de dbus.Error
	if errors.As(err, &de) && len(de.Body) > 0 {
		if s, ok := de.Body[0].(string); ok {
			return errors.New(s)
		}
	}
	return err
}
