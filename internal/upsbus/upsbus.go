// Package upsbus names sysnut's D-Bus interface, org.sysnut.UPS1: the bus
// name, object paths, interfaces and error names that the service and its
// clients share. Clients import this, never the service itself.
package upsbus

import (
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

// Names on the bus.
const (
	BusName      = "org.sysnut.UPS1"
	ManagerPath  = dbus.ObjectPath("/org/sysnut/UPS1")
	ManagerIface = "org.sysnut.UPS1.Manager"
	DeviceIface  = "org.sysnut.UPS1.Device"
	// VarsIface carries one property per NUT variable, named with '.'
	// as '_' (battery.charge -> battery_charge), for busctl get-property.
	VarsIface  = "org.sysnut.UPS1.Variables"
	DevicePath = "/org/sysnut/UPS1/ups/"
	ErrPrefix  = "org.sysnut.UPS1.Error."
)

// ObjectPath is the path of a UPS's object: its name with every byte
// outside [A-Za-z0-9] written _xx, as systemd escapes unit names.
func ObjectPath(ups string) dbus.ObjectPath {
	var b strings.Builder
	b.WriteString(DevicePath)
	for i := 0; i < len(ups); i++ {
		c := ups[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return dbus.ObjectPath(b.String())
}
