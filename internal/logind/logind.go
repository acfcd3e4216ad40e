// Package logind asks systemd-logind over D-Bus to power the machine off,
// as an unprivileged user that polkit allows to, instead of forking
// shutdown from a root process as NUT's upsmon does.
package logind

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	dest    = "org.freedesktop.login1"
	path    = "/org/freedesktop/login1"
	manager = "org.freedesktop.login1.Manager"
)

// Client talks to logind's Manager object.
type Client struct {
	conn *dbus.Conn
	obj  dbus.BusObject
}

// Connect opens a private connection to the system bus (or to
// $DBUS_SYSTEM_BUS_ADDRESS, which tests point at their own bus).
func Connect(ctx context.Context) (*Client, error) {
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("system bus: %w", err)
	}
	return New(conn), nil
}

// New wraps an existing connection.
func New(conn *dbus.Conn) *Client {
	return &Client{conn: conn, obj: conn.Object(dest, path)}
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Refused is logind (or polkit behind it) saying no.
type Refused struct {
	Method string
	Name   string // the D-Bus error name
	Msg    string
}

func (e *Refused) Error() string {
	return fmt.Sprintf("logind refused %s: %s (%s)", e.Method, e.Msg, e.Name)
}

func (c *Client) call(ctx context.Context, method string, args ...any) *dbus.Call {
	call := c.obj.CallWithContext(ctx, manager+"."+method, 0, args...)
	var de dbus.Error
	if call.Err != nil && errors.As(call.Err, &de) {
		msg := ""
		if len(de.Body) > 0 {
			msg, _ = de.Body[0].(string)
		}
		call.Err = &Refused{Method: method, Name: de.Name, Msg: msg}
	}
	return call
}

// CanPowerOff returns "yes", "no", "challenge" or "na".
func (c *Client) CanPowerOff(ctx context.Context) (string, error) {
	var s string
	if err := c.call(ctx, "CanPowerOff").Store(&s); err != nil {
		return "", err
	}
	return s, nil
}

// PowerOff powers the machine off now, without interactive authentication:
// a daemon has nobody to ask.
func (c *Client) PowerOff(ctx context.Context) error {
	return c.call(ctx, "PowerOff", false).Err
}

// ScheduleShutdown asks for a power-off at t; kind is "poweroff" or, for
// rehearsals, "dry-poweroff".
func (c *Client) ScheduleShutdown(ctx context.Context, kind string, t time.Time) error {
	return c.call(ctx, "ScheduleShutdown", kind, uint64(t.UnixMicro())).Err
}

// CancelScheduledShutdown cancels a scheduled shutdown and reports
// whether one was pending.
func (c *Client) CancelScheduledShutdown(ctx context.Context) (bool, error) {
	var ok bool
	if err := c.call(ctx, "CancelScheduledShutdown").Store(&ok); err != nil {
		return false, err
	}
	return ok, nil
}
