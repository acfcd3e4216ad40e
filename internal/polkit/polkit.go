// Package polkit asks polkit whether the sender of a D-Bus call may do an
// action (org.freedesktop.PolicyKit1.Authority.CheckAuthorization), the
// way systemd's timedated checks timedatectl's callers.
package polkit

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

const (
	dest  = "org.freedesktop.PolicyKit1"
	path  = "/org/freedesktop/PolicyKit1/Authority"
	check = "org.freedesktop.PolicyKit1.Authority.CheckAuthorization"

	// allowUserInteraction lets polkit ask the caller's authentication
	// agent for a password (auth_admin).
	allowUserInteraction uint32 = 1
)

// Errors a service returns to callers polkit turned down. They are the
// names systemd's services use, which busctl and clients understand.
const (
	ErrAccessDenied                   = "org.freedesktop.DBus.Error.AccessDenied"
	ErrInteractiveAuthorizationNeeded = "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"
)

// Authority checks actions against polkit on conn's bus.
type Authority struct {
	obj dbus.BusObject
}

// New returns an Authority using conn.
func New(conn *dbus.Conn) *Authority { return &Authority{obj: conn.Object(dest, path)} }

// subject is polkit's (sa{sv}) subject: the caller's unique bus name.
type subject struct {
	Kind    string
	Details map[string]dbus.Variant
}

// result is CheckAuthorization's (bba{ss}).
type result struct {
	Authorized, Challenge bool
	Details               map[string]string
}

// Check returns nil if sender may perform action, or a *dbus.Error to
// hand back to the caller: AccessDenied, or InteractiveAuthorizationRequired
// when polkit would allow it after authentication that could not happen.
// polkit may ask for a password only when the caller allows it
// (interactive).
func (a *Authority) Check(ctx context.Context, sender dbus.Sender, action string, details map[string]string, interactive bool) *dbus.Error {
	if details == nil {
		details = map[string]string{}
	}
	s := subject{Kind: "system-bus-name", Details: map[string]dbus.Variant{"name": dbus.MakeVariant(string(sender))}}
	var r result
	var flags uint32
	if interactive {
		flags = allowUserInteraction
	}
	err := a.obj.CallWithContext(ctx, check, 0, s, action, details, flags, "").Store(&r)
	if err != nil {
		return dbus.NewError(ErrAccessDenied, []any{fmt.Sprintf("polkit: %v", err)})
	}
	switch {
	case r.Authorized:
		return nil
	case r.Challenge:
		return dbus.NewError(ErrInteractiveAuthorizationNeeded, []any{"Interactive authentication required for " + action})
	}
	return dbus.NewError(ErrAccessDenied, []any{"Not authorized: " + action})
}
