package nutclient

import (
	"context"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/nutproto"
)

// Watch asks sysnut's upsd to push the status of the UPSes named (its
// WATCH extension, described in upsd(8)); the connection then carries
// only Status replies, read with Next. A server without the extension
// (NUT's upsd) answers with a *nutproto.Error of code UNKNOWN-COMMAND:
// the caller polls instead.
func (c *Client) Watch(ups ...string) error {
	reply, err := c.Cmd("WATCH " + strings.Join(ups, " "))
	if err != nil {
		return err
	}
	if reply != "OK WATCHING" {
		return ErrProtocol
	}
	return nil
}

// Status is one line pushed to a watching connection: the UPS's
// ups.status, or the error GET VAR would answer instead (Err set).
type Status struct {
	UPS    string
	Value  string
	Err    *nutproto.Error
	Pushed time.Time // when it was read
}

// Next waits, without a deadline, for the next line pushed after Watch.
// A dead server is noticed by the caller's other traffic (its polls) or
// by TCP keepalive, and closing the connection ends the wait.
func (c *Client) Next() (Status, error) {
	_ = c.conn.SetDeadline(time.Time{})
	line, err := c.readLine()
	if err != nil {
		return Status{}, err
	}
	w, err := nutproto.Split(line)
	if err != nil || len(w) < 3 || w[0] != "STATUS" {
		return Status{}, ErrProtocol
	}
	st := Status{UPS: w[1], Pushed: time.Now()}
	if e, ok := nutproto.ParseErr(strings.Join(w[2:], " ")); ok {
		st.Err = e
	} else {
		st.Value = w[2]
	}
	return st, nil
}

// Follow reads the lines pushed after Watch, calling changed for each,
// until the connection fails (that error) or ctx ends (nil: the end of
// ctx closes the connection, which ends the wait).
func (c *Client) Follow(ctx context.Context, changed func(Status)) error {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for {
		st, err := c.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		changed(st)
	}
}
