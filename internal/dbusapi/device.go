package dbusapi

import (
	"context"
	"maps"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

// device is one UPS's object.
type device struct {
	s     *Service
	name  string
	desc  string
	path  dbus.ObjectPath
	vars  map[string]string // as last published
	props *prop.Properties
}

// update publishes desc and vars. A new set of variable names means new
// properties, so the object is exported again; otherwise changed values
// are set, which emits PropertiesChanged.
func (d *device) update(desc string, vars map[string]string) error {
	if d.props != nil && d.desc == desc && sameKeys(d.vars, vars) {
		if maps.Equal(d.vars, vars) {
			return nil
		}
		// Each Set emits a signal: set only what changed.
		old := d.vars
		d.vars = vars
		if old["ups.status"] != vars["ups.status"] {
			d.props.SetMust(DeviceIface, "Status", vars["ups.status"])
		}
		d.props.SetMust(DeviceIface, "Variables", vars)
		for k, v := range vars {
			if old[k] != v {
				d.props.SetMust(VarsIface, PropertyName(k), v)
			}
		}
		return nil
	}
	d.desc, d.vars = desc, vars
	return d.export()
}

func sameKeys(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

func (d *device) export() error {
	ro := func(v any) *prop.Prop { return &prop.Prop{Value: v, Emit: prop.EmitTrue} }
	deviceProps := map[string]*prop.Prop{
		"Name":        {Value: d.name, Emit: prop.EmitConst},
		"Description": ro(d.desc),
		"Status":      ro(d.vars["ups.status"]),
		"Variables":   ro(d.vars),
	}
	varProps := map[string]*prop.Prop{}
	for k, v := range d.vars {
		varProps[PropertyName(k)] = ro(v)
	}
	props, err := prop.Export(d.s.Conn, d.path, prop.Map{DeviceIface: deviceProps, VarsIface: varProps})
	if err != nil {
		return err
	}
	d.props = props
	if err := d.s.Conn.Export(&deviceMethods{d: d}, d.path, DeviceIface); err != nil {
		return err
	}
	node := &introspect.Node{
		Name: string(d.path),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			prop.IntrospectData,
			{Name: DeviceIface, Methods: deviceMethodsXML, Properties: props.Introspection(DeviceIface)},
			{Name: VarsIface, Properties: props.Introspection(VarsIface)},
		},
	}
	return d.s.Conn.Export(introspect.NewIntrospectable(node), d.path, "org.freedesktop.DBus.Introspectable")
}

func (d *device) unexport() {
	for _, iface := range []string{DeviceIface, "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable"} {
		_ = d.s.Conn.Export(nil, d.path, iface)
	}
	d.s.Log.Info("UPS gone from the bus", "ups", d.name)
}

var deviceMethodsXML = []introspect.Method{
	{Name: "InstantCommand", Args: []introspect.Arg{{Name: "command", Type: "s", Direction: "in"}, {Name: "parameter", Type: "s", Direction: "in"}}},
	{Name: "SetVariable", Args: []introspect.Arg{{Name: "name", Type: "s", Direction: "in"}, {Name: "value", Type: "s", Direction: "in"}}},
	{Name: "ForcedShutdown"},
	{Name: "ListCommands", Args: []introspect.Arg{{Name: "commands", Type: "as", Direction: "out"}}},
}

// deviceMethods are the D-Bus methods of a UPS object; each change is
// checked with polkit first, with the UPS and its arguments as details
// that rules can match.
type deviceMethods struct{ d *device }

// callTimeout bounds a method call: polkit may wait for a password.
const callTimeout = 2 * time.Minute

func (m *deviceMethods) authorize(ctx context.Context, sender dbus.Sender, action string, details map[string]string) *dbus.Error {
	details["ups"] = m.d.name
	if err := m.d.s.Auth.Check(ctx, sender, action, details); err != nil {
		m.d.s.Log.Warn("refused by polkit", "sender", sender, "action", action, "ups", m.d.name, "err", err.Name)
		return err
	}
	return nil
}

// InstantCommand runs one of the UPS's instant commands (upscmd).
func (m *deviceMethods) InstantCommand(sender dbus.Sender, cmd, param string) *dbus.Error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := m.authorize(ctx, sender, ActionInstantCommand, map[string]string{"command": cmd}); err != nil {
		return err
	}
	m.d.s.Log.Info("instant command", "sender", sender, "ups", m.d.name, "command", cmd)
	if err := m.d.s.Backend.InstantCommand(ctx, m.d.name, cmd, param); err != nil {
		return nutError(err)
	}
	return nil
}

// SetVariable sets a writable variable (upsrw -s).
func (m *deviceMethods) SetVariable(sender dbus.Sender, name, value string) *dbus.Error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := m.authorize(ctx, sender, ActionSetVariable, map[string]string{"variable": name}); err != nil {
		return err
	}
	m.d.s.Log.Info("set variable", "sender", sender, "ups", m.d.name, "var", name, "value", value)
	if err := m.d.s.Backend.SetVariable(ctx, m.d.name, name, value); err != nil {
		return nutError(err)
	}
	return nil
}

// ForcedShutdown sets FSD on the UPS in upsd: every monitor of it, primary
// and secondaries, shuts its machine down.
func (m *deviceMethods) ForcedShutdown(sender dbus.Sender) *dbus.Error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := m.authorize(ctx, sender, ActionForcedShutdown, map[string]string{}); err != nil {
		return err
	}
	m.d.s.Log.Warn("forced shutdown requested", "sender", sender, "ups", m.d.name)
	if err := m.d.s.Backend.ForcedShutdown(ctx, m.d.name); err != nil {
		return nutError(err)
	}
	return nil
}

// ListCommands returns the UPS's instant commands; reading needs no right.
func (m *deviceMethods) ListCommands() ([]string, *dbus.Error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmds, err := m.d.s.Backend.Commands(ctx, m.d.name)
	if err != nil {
		return nil, nutError(err)
	}
	return cmds, nil
}
