package upsd

import (
	"strconv"
	"strings"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/state"
)

func (c *conn) cmdList(out []byte, args []string) []byte {
	if len(args) < 1 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	sub := strings.ToUpper(args[0])
	if sub == "UPS" {
		out = append(out, "BEGIN LIST UPS\n"...)
		for _, u := range c.s.upsList() {
			out = appendReply(out, []string{"UPS", u.name}, descOr(u.desc, "Description unavailable"))
		}
		return append(out, "END LIST UPS\n"...)
	}
	if len(args) < 2 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	name := args[1]
	switch sub {
	case "VAR", "RW", "CMD", "CLIENT":
		u := c.s.lookup(name)
		if u == nil {
			return appendErr(out, nutproto.ErrUnknownUPS)
		}
		if sub == "CLIENT" {
			return c.listClients(out, u, name)
		}
		return c.listTree(out, u, name, sub)
	}
	if len(args) < 3 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	switch sub {
	case "ENUM", "RANGE":
		u := c.s.lookup(name)
		if u == nil {
			return appendErr(out, nutproto.ErrUnknownUPS)
		}
		return c.listValues(out, u, name, args[2], sub)
	}
	return appendErr(out, nutproto.ErrInvalidArgument)
}

// listTree answers LIST VAR, LIST RW and LIST CMD. BEGIN and END spell the
// list type in upper case but echo the client's spelling of the UPS name.
// The names and values are copied out under the link's lock (string
// headers only) and the reply is written outside it in flushAt pieces, so
// that a long list costs a connection little memory and a client that
// reads slowly never holds up the driver's updates.
func (c *conn) listTree(out []byte, u *ups, name, sub string) []byte {
	type item struct{ name, value string }
	var items []item
	var avail driversock.Availability
	u.link.View(func(t *state.Tree, a driversock.Availability, dumping bool) {
		if avail = a; a != driversock.Available {
			return
		}
		switch sub {
		case "CMD":
			for _, cmd := range t.Cmds() {
				items = append(items, item{name: cmd})
			}
		case "VAR", "RW":
			for _, v := range t.Vars() {
				if sub == "RW" && v.Flags&state.RW == 0 {
					continue
				}
				val := v.Value
				if sub == "VAR" && strings.EqualFold(v.Name, "ups.status") {
					if dumping {
						val = "WAIT"
					} else {
						val = u.shownStatus(val)
					}
				}
				items = append(items, item{v.Name, val})
			}
		}
	})
	out, ok := available(out, avail)
	if !ok {
		return out
	}
	out = appendReply(out, []string{"BEGIN LIST", sub, name})
	for _, it := range items {
		if sub == "CMD" {
			out = appendReply(out, []string{"CMD", name, it.name})
		} else {
			out = appendReply(out, []string{sub, name, it.name}, it.value)
		}
		out = c.spill(out)
	}
	return appendReply(out, []string{"END LIST", sub, name})
}

// listValues answers LIST ENUM and LIST RANGE.
func (c *conn) listValues(out []byte, u *ups, name, v, sub string) []byte {
	u.link.View(func(t *state.Tree, a driversock.Availability, _ bool) {
		var ok bool
		if out, ok = available(out, a); !ok {
			return
		}
		node := t.Get(v)
		if node == nil {
			out = appendErr(out, nutproto.ErrVarNotSupported)
			return
		}
		out = appendReply(out, []string{"BEGIN LIST", sub, name, v})
		if sub == "ENUM" {
			for _, e := range node.Enums {
				out = appendReply(out, []string{"ENUM", name, v}, e)
			}
		} else {
			for _, r := range node.Ranges {
				out = appendReply(out, []string{"RANGE", name, v}, strconv.Itoa(r.Min), strconv.Itoa(r.Max))
			}
		}
		out = appendReply(out, []string{"END LIST", sub, name, v})
	})
	return out
}

func (c *conn) listClients(out []byte, u *ups, name string) []byte {
	out = appendReply(out, []string{"BEGIN LIST CLIENT", name})
	for _, addr := range c.s.clientsOf(u) {
		out = appendReply(out, []string{"CLIENT", name, addr})
	}
	return appendReply(out, []string{"END LIST CLIENT", name})
}
