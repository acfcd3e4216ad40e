package upsd

import (
	"fmt"
	"strings"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/state"
)

func (c *conn) cmdSet(out []byte, args []string) []byte {
	if len(args) < 2 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	switch strings.ToUpper(args[0]) {
	case "VAR":
		if len(args) < 4 {
			return appendErr(out, nutproto.ErrInvalidArgument)
		}
		return c.setVar(out, args[1], args[2], args[3])
	case "TRACKING":
		switch strings.ToUpper(args[1]) {
		case "ON":
			c.tracking = true
		case "OFF":
			c.tracking = false
		default:
			return appendErr(out, nutproto.ErrInvalidArgument)
		}
		return append(out, "OK\n"...)
	}
	return appendErr(out, nutproto.ErrInvalidArgument)
}

func (c *conn) setVar(out []byte, name, v, value string) []byte {
	u := c.s.lookup(name)
	if u == nil {
		return appendErr(out, nutproto.ErrUnknownUPS)
	}
	var code nutproto.Code
	u.link.View(func(t *state.Tree, a driversock.Availability, _ bool) {
		switch a {
		case driversock.NotConnected:
			code = nutproto.ErrDriverNotConnected
			return
		case driversock.Stale:
			code = nutproto.ErrDataStale
			return
		}
		if !c.permitted(action("SET"), "SET", "ups", u.name, "var", v) {
			code = nutproto.ErrAccessDenied
			return
		}
		node := t.Get(v)
		switch {
		case node == nil:
			code = nutproto.ErrVarNotSupported
		case node.Flags&state.RW == 0:
			code = nutproto.ErrReadonly
		case node.Flags&state.String != 0 && node.Aux < 1:
			c.s.log.Warn("the driver gave "+v+" an invalid aux length", "ups", u.name, "var", v)
			code = nutproto.ErrSetFailed
		case node.Flags&state.String != 0 && node.Aux < len(value):
			code = nutproto.ErrTooLong
		case len(node.Enums) > 0 && !inEnum(node.Enums, value):
			code = nutproto.ErrInvalidValue
		case len(node.Ranges) > 0 && !inRange(node.Ranges, value):
			code = nutproto.ErrInvalidValue
		}
	})
	if code != "" {
		return appendErr(out, code)
	}
	c.s.log.Info(fmt.Sprintf("%s (user %s) sets %s to %q", c.addr, c.username, v, value), "client", c.addr, "user", c.username, "ups", u.name, "var", v, "value", value)
	return c.forward(out, u, "SET "+v+" "+nutproto.Quote(value), nutproto.ErrSetFailed)
}

// forward sends a request to the driver, with a tracking id if the client
// asked for tracking, and answers OK.
func (c *conn) forward(out []byte, u *ups, line string, fail nutproto.Code) []byte {
	id := ""
	if c.tracking {
		id = c.s.tracking.add()
		line += " TRACKING " + id
	}
	if err := u.link.Send(line); err != nil {
		c.s.log.Warn("cannot forward to driver", "ups", u.name, "err", err)
		if id != "" {
			c.s.tracking.remove(id)
		}
		return appendErr(out, fail)
	}
	if id != "" {
		return append(out, "OK TRACKING "+id+"\n"...)
	}
	return append(out, "OK\n"...)
}

func inEnum(enums []string, v string) bool {
	for _, e := range enums {
		if e == v {
			return true
		}
	}
	return false
}

func inRange(ranges []state.Range, v string) bool {
	n := nutproto.Atoi(v)
	for _, r := range ranges {
		if n >= r.Min && n <= r.Max {
			return true
		}
	}
	return false
}

func (c *conn) cmdInstcmd(out []byte, args []string) []byte {
	if len(args) < 2 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	name, cmd := args[0], args[1]
	u := c.s.lookup(name)
	if u == nil {
		return appendErr(out, nutproto.ErrUnknownUPS)
	}
	var code nutproto.Code
	u.link.View(func(t *state.Tree, a driversock.Availability, _ bool) {
		switch {
		case a == driversock.NotConnected:
			code = nutproto.ErrDriverNotConnected
		case a == driversock.Stale:
			code = nutproto.ErrDataStale
		case !t.HasCmd(cmd):
			code = nutproto.ErrCmdNotSupported
		}
	})
	if code == "" {
		canRun := func(u *config.User) bool { return u.CanRun(cmd) }
		if !c.permitted(canRun, "INSTCMD", "ups", u.name, "command", cmd) {
			code = nutproto.ErrAccessDenied
		}
	}
	if code != "" {
		return appendErr(out, code)
	}
	line := "INSTCMD " + cmd
	if len(args) >= 3 {
		// Quoted: NUT sends it bare, so a parameter with a space or "="
		// reached the driver split into several words.
		line += " " + nutproto.Quote(args[2])
	}
	c.s.log.Info(fmt.Sprintf("%s (user %s) runs instant command %s", c.addr, c.username, cmd), "client", c.addr, "user", c.username, "ups", u.name, "command", cmd)
	return c.forward(out, u, line, nutproto.ErrInstcmdFailed)
}
