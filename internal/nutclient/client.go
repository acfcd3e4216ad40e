// Package nutclient is a client of NUT's network protocol, shared by upsc,
// upscmd, upsrw, upsmon and the demo. It speaks to NUT's upsd as well as
// ours, and its error texts are libupsclient's, so that tools built on it
// print what NUT's tools print.
package nutclient

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/rawsock"
)

// DefaultPort is NUT's TCP port.
const DefaultPort = 3493

// maxLine bounds a reply line; NUT's own replies never exceed 512 bytes.
const maxLine = 64 << 10

// Client is one connection to a upsd. It is not safe for concurrent use.
type Client struct {
	conn    net.Conn
	r       *bufio.Reader
	timeout time.Duration
}

// ConnError is a failure to reach the server, in libupsclient's words.
type ConnError struct {
	Op  string // "Connection failure", "Read error", ...
	Err error
}

func (e *ConnError) Error() string {
	if e.Op == "No such host" {
		return e.Op
	}
	return e.Op + ": " + strerror(e.Err)
}

func (e *ConnError) Unwrap() error { return e.Err }

// The texts of these errors are libupsclient's, which scripts match on.
var (
	//lint:ignore ST1005 libupsclient's wording
	ErrServerDisconnected = errors.New("Server disconnected") // the server closed the connection
	//lint:ignore ST1005 libupsclient's wording
	ErrProtocol = errors.New("Protocol error") // a reply of the wrong shape
)

// strerror renders an error like C's strerror: "Connection refused".
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// Dial connects to host:port ("localhost:3493", "[::1]:3493").
func Dial(ctx context.Context, addr string) (*Client, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, &ConnError{Op: "No such host", Err: err}
		}
		return nil, &ConnError{Op: "Connection failure", Err: err}
	}
	// A monitor asks every few seconds and sleeps in between: raw reads
	// and writes keep each poll from waking the runtime's monitor thread.
	return New(rawsock.Wrap(c)), nil
}

// New wraps an established connection.
func New(c net.Conn) *Client {
	return &Client{conn: c, r: bufio.NewReaderSize(c, 4096), timeout: 30 * time.Second}
}

// SetTimeout bounds each request's round trip (default 30 s).
func (c *Client) SetTimeout(d time.Duration) { c.timeout = d }

// Close closes the connection without LOGOUT.
func (c *Client) Close() error { return c.conn.Close() }

// Logout says goodbye politely and closes.
func (c *Client) Logout() error {
	_, err := c.Cmd("LOGOUT")
	c.conn.Close()
	return err
}

// Send writes one request line; words are joined as given (quote values
// with nutproto.Quote).
func (c *Client) Send(line string) error {
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	if _, err := c.conn.Write([]byte(line + "\n")); err != nil {
		return &ConnError{Op: "Write error", Err: err}
	}
	return nil
}

// ReadLine reads one reply line without its newline. ERR replies are
// returned as lines, not errors; see Cmd.
func (c *Client) ReadLine() (string, error) {
	_ = c.conn.SetDeadline(time.Now().Add(c.timeout))
	return c.readLine()
}

// idle clears the deadline once a request is answered. An armed deadline
// is a runtime timer, which wakes the process when it passes even though
// nothing waits: a kept connection would wake its program 30 s after
// each last request.
func (c *Client) idle() { _ = c.conn.SetDeadline(time.Time{}) }

// readLine is ReadLine under whatever deadline the caller set.
func (c *Client) readLine() (string, error) {
	var b []byte
	for {
		part, isPrefix, err := c.r.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", ErrServerDisconnected
			}
			return "", &ConnError{Op: "Read error", Err: err}
		}
		b = append(b, part...)
		if len(b) > maxLine {
			return "", ErrProtocol
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// Cmd sends a request and returns its one-line reply; an ERR reply is a
// *nutproto.Error.
func (c *Client) Cmd(line string) (string, error) {
	defer c.idle()
	if err := c.Send(line); err != nil {
		return "", err
	}
	reply, err := c.ReadLine()
	if err != nil {
		return "", err
	}
	if e, ok := nutproto.ParseErr(reply); ok {
		return "", e
	}
	return reply, nil
}

// List sends "LIST <query...>" and returns the words of each line between
// BEGIN LIST and END LIST.
func (c *Client) List(query ...string) ([][]string, error) {
	q := strings.Join(query, " ")
	defer c.idle()
	if err := c.Send("LIST " + q); err != nil {
		return nil, err
	}
	first, err := c.ReadLine()
	if err != nil {
		return nil, err
	}
	if e, ok := nutproto.ParseErr(first); ok {
		return nil, e
	}
	begin, err := nutproto.Split(first)
	if err != nil || len(begin) < 2 || begin[0] != "BEGIN" || begin[1] != "LIST" {
		return nil, ErrProtocol
	}
	var out [][]string
	for {
		line, err := c.ReadLine()
		if err != nil {
			return nil, err
		}
		w, err := nutproto.Split(line)
		if err != nil {
			return nil, ErrProtocol
		}
		if len(w) >= 2 && w[0] == "END" && w[1] == "LIST" {
			return out, nil
		}
		out = append(out, w)
	}
}

// UPSNames returns the names LIST UPS gives, in upsd's order.
func (c *Client) UPSNames() ([]string, error) {
	rows, err := c.List("UPS")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range rows {
		if len(r) >= 2 {
			names = append(names, r[1])
		}
	}
	return names, nil
}

// Get sends "GET <query...>" and returns the reply's words, checking that
// they echo the query.
func (c *Client) Get(query ...string) ([]string, error) {
	reply, err := c.Cmd("GET " + strings.Join(query, " "))
	if err != nil {
		return nil, err
	}
	w, err := nutproto.Split(reply)
	if err != nil || len(w) < len(query) {
		return nil, ErrProtocol
	}
	// As NUT's upscli_get: a reply to another question (a stray line left
	// by an earlier request) must not be taken for this one.
	for i, q := range query {
		if !strings.EqualFold(w[i], q) {
			return nil, ErrProtocol
		}
	}
	return w, nil
}

// Var returns one variable's value.
func (c *Client) Var(ups, name string) (string, error) {
	w, err := c.Get("VAR", ups, name)
	if err != nil {
		return "", err
	}
	if len(w) < 4 {
		return "", ErrProtocol
	}
	return w[3], nil
}

// NumLogins returns GET NUMLOGINS.
func (c *Client) NumLogins(ups string) (int, error) {
	w, err := c.Get("NUMLOGINS", ups)
	if err != nil {
		return 0, err
	}
	if len(w) < 3 {
		return 0, ErrProtocol
	}
	n, err := strconv.Atoi(w[2])
	if err != nil {
		return 0, ErrProtocol
	}
	return n, nil
}

// Variable is a name and value from LIST VAR or LIST RW.
type Variable struct{ Name, Value string }

// Vars returns LIST VAR.
func (c *Client) Vars(ups string) ([]Variable, error) { return c.listVars("VAR", ups) }

// RWVars returns LIST RW.
func (c *Client) RWVars(ups string) ([]Variable, error) { return c.listVars("RW", ups) }

func (c *Client) listVars(kind, ups string) ([]Variable, error) {
	rows, err := c.List(kind, ups)
	if err != nil {
		return nil, err
	}
	out := make([]Variable, 0, len(rows))
	for _, r := range rows {
		if len(r) < 4 {
			return nil, fmt.Errorf("insufficient data (got %d args, need at least 4)", len(r))
		}
		out = append(out, Variable{Name: r[2], Value: r[3]})
	}
	return out, nil
}

// Authenticate sends USERNAME and PASSWORD.
func (c *Client) Authenticate(user, password string) error {
	if _, err := c.Cmd("USERNAME " + nutproto.Quote(user)); err != nil {
		//lint:ignore ST1005 upscmd's and upsrw's wording
		return fmt.Errorf("Set username failed: %w", err)
	}
	if _, err := c.Cmd("PASSWORD " + nutproto.Quote(password)); err != nil {
		//lint:ignore ST1005 upscmd's and upsrw's wording
		return fmt.Errorf("Set password failed: %w", err)
	}
	return nil
}

// SplitName splits "ups[@host[:port]]" as libupsclient's upscli_splitname
// does, defaulting to localhost:3493.
func SplitName(s string) (ups, addr string, err error) {
	ups, hp, found := strings.Cut(s, "@")
	if ups == "" {
		return "", "", errors.New("invalid UPS definition")
	}
	if !found {
		return ups, net.JoinHostPort("localhost", strconv.Itoa(DefaultPort)), nil
	}
	addr, err = SplitAddr(hp)
	return ups, addr, err
}

// SplitAddr turns "host[:port]" or "[v6addr][:port]" into a dialable
// address, as upscli_splitaddr does.
func SplitAddr(s string) (string, error) {
	if s == "" {
		return "", errors.New("invalid address")
	}
	host, port := s, strconv.Itoa(DefaultPort)
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", errors.New("invalid address")
		}
		host = s[1:end]
		if rest := s[end+1:]; rest != "" {
			p, ok := strings.CutPrefix(rest, ":")
			if !ok || p == "" {
				return "", errors.New("invalid address")
			}
			port = p
		}
	} else if h, p, ok := strings.Cut(s, ":"); ok && !strings.Contains(p, ":") {
		host, port = h, p
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid port %q", port)
	}
	return net.JoinHostPort(host, port), nil
}
