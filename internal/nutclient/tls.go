package nutclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/nuttls"
)

// ErrNoTLS is FORCESSL's failure: the server answered STARTTLS with an
// error. NUT's own clients carry on in clear text here; ours do not.
var ErrNoTLS = errors.New("server does not offer TLS")

// DialTLS connects and then applies policy: STARTTLS unless it is
// disabled, failing if the server has no TLS and policy forces it. A
// deadline on ctx bounds the whole of it, STARTTLS exchange included.
func DialTLS(ctx context.Context, addr string, policy nuttls.Client) (*Client, error) {
	c, err := Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if d, ok := ctx.Deadline(); ok {
		c.SetTimeout(time.Until(d))
	}
	if policy.Disabled {
		return c, nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	cfg, err := policy.Config(host)
	if err != nil {
		c.Close()
		return nil, &ConnError{Op: "SSL error", Err: err}
	}
	if err := c.StartTLS(ctx, cfg); err != nil {
		if errors.Is(err, ErrNoTLS) && !policy.Force {
			return c, nil
		}
		c.Close()
		return nil, err
	}
	return c, nil
}

// StartTLS sends STARTTLS and, on "OK STARTTLS", runs the handshake on the
// same connection. An ERR reply is ErrNoTLS wrapping the server's error;
// the connection is then still usable in clear text.
func (c *Client) StartTLS(ctx context.Context, cfg *tls.Config) error {
	reply, err := c.Cmd("STARTTLS")
	if err != nil {
		var pe *nutproto.Error
		if errors.As(err, &pe) {
			return &ConnError{Op: "SSL error", Err: fmt.Errorf("%w (STARTTLS: ERR %s)", ErrNoTLS, pe.Code)}
		}
		return err
	}
	if reply != "OK STARTTLS" {
		return ErrProtocol
	}
	if c.r.Buffered() > 0 {
		// Clear text after OK STARTTLS could be injected by anyone on the path.
		return &ConnError{Op: "SSL error", Err: errors.New("data after OK STARTTLS")}
	}
	tc := tls.Client(c.conn, cfg)
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	if err := tc.HandshakeContext(ctx); err != nil {
		return &ConnError{Op: "SSL error", Err: err}
	}
	_ = c.conn.SetDeadline(time.Time{}) // see idle
	c.conn = tc
	c.r.Reset(tc)
	return nil
}

// TLS reports the session's TLS state; ok is false in clear text.
func (c *Client) TLS() (state tls.ConnectionState, ok bool) {
	if tc, isTLS := c.conn.(*tls.Conn); isTLS {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}
