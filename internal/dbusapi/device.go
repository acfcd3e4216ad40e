package dbusapi

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"

	"github.com/sysnut/sysnut/internal/upsbus"
)

// device is one UPS's object.
type device struct {
	s        *Service
	name     string
	path     dbus.ObjectPath
	props    properties
	exported bool
}

// constantProps never change while the object exists.
var constantProps = map[string]bool{"Name": true}

// update publishes desc and vars (which the caller hands over and must not
// modify). Changed values are signalled with PropertiesChanged; a new set
// of variable names also changes the introspection data.
func (d *device) update(desc string, vars map[string]string) error {
	varProps := make(map[string]any, len(vars))
	for k, v := range vars {
		varProps[PropertyName(k)] = v
	}
	changes, namesChanged := d.props.replace(map[string]map[string]any{
		upsbus.DeviceIface: {
			"Name":        d.name,
			"Description": desc,
			"Status":      vars["ups.status"],
			"Variables":   vars,
		},
		upsbus.VarsIface: varProps,
	}, constantProps)
	if !d.exported {
		// The first publication is the object's appearance: no signal.
		if err := d.export(); err != nil {
			return err
		}
		d.exported = true
		return nil
	}
	if namesChanged {
		if err := d.exportIntrospection(); err != nil {
			return err
		}
	}
	return emit(d.s.Conn, d.path, changes)
}

func (d *device) export() error {
	d.props.read = d.s.touch
	if err := d.s.Conn.Export(propertiesMethods{&d.props}, d.path, propertiesIface); err != nil {
		return err
	}
	if err := d.s.Conn.Export(&deviceMethods{d: d}, d.path, upsbus.DeviceIface); err != nil {
		return err
	}
	return d.exportIntrospection()
}

func (d *device) exportIntrospection() error {
	node := &introspect.Node{
		Name: string(d.path),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			propertiesIntrospection,
			{Name: upsbus.DeviceIface, Methods: deviceMethodsXML, Properties: d.props.introspection(upsbus.DeviceIface, constantProps)},
			{Name: upsbus.VarsIface, Properties: d.props.introspection(upsbus.VarsIface, constantProps)},
		},
	}
	return d.s.Conn.Export(introspect.NewIntrospectable(node), d.path, "org.freedesktop.DBus.Introspectable")
}

func (d *device) unexport() {
	for _, iface := range []string{upsbus.DeviceIface, "org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable"} {
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

// change runs do once polkit allows the caller, with the UPS added to the
// details that rules can match.
func (m *deviceMethods) change(call dbus.Message, action string, details map[string]string, do func(context.Context) error) *dbus.Error {
	details["ups"] = m.d.name
	return m.d.s.authorized(call, action, details, callTimeout, do)
}

// InstantCommand runs one of the UPS's instant commands (upscmd).
func (m *deviceMethods) InstantCommand(call dbus.Message, cmd, param string) *dbus.Error {
	return m.change(call, ActionInstantCommand, map[string]string{"command": cmd}, func(ctx context.Context) error {
		c := m.d.s.caller(call)
		m.d.s.Log.Info(who(c)+" runs instant command "+cmd, append(c, "ups", m.d.name, "command", cmd)...)
		return m.d.s.Backend.InstantCommand(ctx, m.d.name, cmd, param)
	})
}

// SetVariable sets a writable variable (upsrw -s).
func (m *deviceMethods) SetVariable(call dbus.Message, name, value string) *dbus.Error {
	return m.change(call, ActionSetVariable, map[string]string{"variable": name}, func(ctx context.Context) error {
		c := m.d.s.caller(call)
		m.d.s.Log.Info(fmt.Sprintf("%s sets %s to %q", who(c), name, value), append(c, "ups", m.d.name, "var", name, "value", value)...)
		return m.d.s.Backend.SetVariable(ctx, m.d.name, name, value)
	})
}

// ForcedShutdown sets FSD on the UPS in upsd: every monitor of it, primary
// and secondaries, shuts its machine down.
func (m *deviceMethods) ForcedShutdown(call dbus.Message) *dbus.Error {
	return m.change(call, ActionForcedShutdown, map[string]string{}, func(ctx context.Context) error {
		c := m.d.s.caller(call)
		m.d.s.Log.Warn("forced shutdown requested by "+who(c), append(c, "ups", m.d.name)...)
		return m.d.s.Backend.ForcedShutdown(ctx, m.d.name)
	})
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
