package dbusapi

import (
	"maps"
	"reflect"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"

	"github.com/sysnut/sysnut/internal/upsbus"
)

const propertiesIface = "org.freedesktop.DBus.Properties"

// properties is one object's read-only org.freedesktop.DBus.Properties.
//
// godbus's prop package is not used: it stores a new map value into the
// old one in place, while a reply that returned the old one may still be
// encoding it (a data race), and it signals each property on its own. Here
// values are never modified once published, only replaced, and one update
// sends one PropertiesChanged per interface.
type properties struct {
	mu     sync.RWMutex
	ifaces map[string]map[string]any // interface → property → value
	// read, if set, is told of every Get and GetAll (the service reads
	// upsd often only while someone reads it).
	read func()
}

// propertiesMethods holds only the exported D-Bus methods, so that godbus
// exports nothing else.
type propertiesMethods struct{ p *properties }

// Get implements org.freedesktop.DBus.Properties.Get.
func (m propertiesMethods) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	if m.p.read != nil {
		m.p.read()
	}
	m.p.mu.RLock()
	defer m.p.mu.RUnlock()
	props, ok := m.p.ifaces[iface]
	if !ok {
		return dbus.Variant{}, unknownInterface(iface)
	}
	v, ok := props[name]
	if !ok {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownProperty", []any{"no property " + name + " on " + iface})
	}
	return dbus.MakeVariant(v), nil
}

// GetAll implements org.freedesktop.DBus.Properties.GetAll.
func (m propertiesMethods) GetAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	if m.p.read != nil {
		m.p.read()
	}
	m.p.mu.RLock()
	defer m.p.mu.RUnlock()
	out := map[string]dbus.Variant{}
	props, ok := m.p.ifaces[iface]
	// The object's interfaces without properties answer empty, as
	// sd-bus's do; an unknown one is an error.
	if !ok && !slices.Contains([]string{"org.freedesktop.DBus.Introspectable", propertiesIface}, iface) {
		return nil, unknownInterface(iface)
	}
	for k, v := range props {
		out[k] = dbus.MakeVariant(v)
	}
	return out, nil
}

// Set implements org.freedesktop.DBus.Properties.Set: every property is
// read-only, changes go through the methods polkit checks.
func (m propertiesMethods) Set(iface, name string, _ dbus.Variant) *dbus.Error {
	return dbus.NewError("org.freedesktop.DBus.Error.PropertyReadOnly", []any{name + " is read-only; use SetVariable"})
}

func unknownInterface(iface string) *dbus.Error {
	return dbus.NewError("org.freedesktop.DBus.Error.UnknownInterface", []any{"no interface " + iface})
}

// description is the published Description of a UPS object.
func (p *properties) description() string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	desc, _ := p.ifaces[upsbus.DeviceIface]["Description"].(string)
	return desc
}

// propertyChange is what one update did to one interface.
type propertyChange struct {
	iface       string
	changed     map[string]dbus.Variant
	invalidated []string
}

// replace publishes next, whose values the caller must not modify
// afterwards, and returns what changed, interface by interface in a
// stable order. Properties listed in constant are never reported.
func (p *properties) replace(next map[string]map[string]any, constant map[string]bool) (changes []propertyChange, namesChanged bool) {
	p.mu.Lock()
	prev := p.ifaces
	p.ifaces = next
	p.mu.Unlock()
	for _, iface := range slices.Sorted(maps.Keys(next)) {
		c := propertyChange{iface: iface, changed: map[string]dbus.Variant{}}
		for k, v := range next[iface] {
			old, ok := prev[iface][k]
			if !ok {
				namesChanged = true
			}
			if !constant[k] && (!ok || !reflect.DeepEqual(old, v)) {
				c.changed[k] = dbus.MakeVariant(v)
			}
		}
		for k := range prev[iface] {
			if _, ok := next[iface][k]; !ok {
				namesChanged = true
				c.invalidated = append(c.invalidated, k)
			}
		}
		slices.Sort(c.invalidated)
		if len(c.changed) > 0 || len(c.invalidated) > 0 {
			changes = append(changes, c)
		}
	}
	return changes, namesChanged
}

// introspection describes iface's properties; constant ones are marked so
// that clients know not to wait for signals about them.
func (p *properties) introspection(iface string, constant map[string]bool) []introspect.Property {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []introspect.Property
	for _, k := range slices.Sorted(maps.Keys(p.ifaces[iface])) {
		emits := "true"
		if constant[k] {
			emits = "const"
		}
		out = append(out, introspect.Property{
			Name:   k,
			Type:   dbus.SignatureOf(p.ifaces[iface][k]).String(),
			Access: "read",
			Annotations: []introspect.Annotation{
				{Name: "org.freedesktop.DBus.Property.EmitsChangedSignal", Value: emits},
			},
		})
	}
	return out
}

// emit sends the PropertiesChanged signals for changes.
func emit(conn *dbus.Conn, path dbus.ObjectPath, changes []propertyChange) error {
	for _, c := range changes {
		if err := conn.Emit(path, propertiesIface+".PropertiesChanged", c.iface, c.changed, c.invalidated); err != nil {
			return err
		}
	}
	return nil
}

// propertiesIntrospection is the org.freedesktop.DBus.Properties
// interface's own description.
var propertiesIntrospection = introspect.Interface{
	Name: propertiesIface,
	Methods: []introspect.Method{
		{Name: "Get", Args: []introspect.Arg{{Name: "interface_name", Type: "s", Direction: "in"}, {Name: "property_name", Type: "s", Direction: "in"}, {Name: "value", Type: "v", Direction: "out"}}},
		{Name: "GetAll", Args: []introspect.Arg{{Name: "interface_name", Type: "s", Direction: "in"}, {Name: "props", Type: "a{sv}", Direction: "out"}}},
		{Name: "Set", Args: []introspect.Arg{{Name: "interface_name", Type: "s", Direction: "in"}, {Name: "property_name", Type: "s", Direction: "in"}, {Name: "value", Type: "v", Direction: "in"}}},
	},
	Signals: []introspect.Signal{
		{Name: "PropertiesChanged", Args: []introspect.Arg{{Name: "interface_name", Type: "s"}, {Name: "changed_properties", Type: "a{sv}"}, {Name: "invalidated_properties", Type: "as"}}},
	},
}
