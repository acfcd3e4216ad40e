// Package upsbus names sysnut's D-Bus interface, org.sysnut.UPS1: the bus
// name, object paths, interfaces and error names that the service and its
// clients share. Clients import this, never the service itself.
package upsbus

import (
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/events"
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

// Event is one item of Manager.ListEvents (a(sssttbssa{ss})): the outage
// history's events.Event as it travels on the bus, times in microseconds
// since the epoch (0: none).
type Event struct {
	Kind, UPS, System  string
	StartUsec, EndUsec uint64
	Ongoing            bool
	EndedBy, Message   string
	Details            map[string]string
}

// ToBus converts an event for ListEvents.
func ToBus(e events.Event) Event {
	out := Event{Kind: e.Kind, UPS: e.UPS, System: e.System, StartUsec: usec(e.Start), EndUsec: usec(e.End),
		Ongoing: e.Ongoing, EndedBy: e.EndedBy, Message: e.Message, Details: e.Details}
	if out.Details == nil {
		out.Details = map[string]string{}
	}
	return out
}

// FromBus converts a ListEvents item back.
func FromBus(e Event) events.Event {
	out := events.Event{Kind: e.Kind, UPS: e.UPS, System: e.System, Start: fromUsec(e.StartUsec), End: fromUsec(e.EndUsec),
		Ongoing: e.Ongoing, EndedBy: e.EndedBy, Message: e.Message, Details: e.Details}
	if len(out.Details) == 0 {
		out.Details = nil
	}
	return out
}

func usec(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixMicro())
}

func fromUsec(u uint64) time.Time {
	if u == 0 {
		return time.Time{}
	}
	return time.UnixMicro(int64(u)).UTC()
}
