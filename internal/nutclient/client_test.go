package nutclient_test

import (
	"bufio"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/nutclient"
)

// TestGetChecksEcho: a reply that does not echo the question (a stray
// line from an earlier request, a server answering another variable) is a
// protocol error, as in NUT's upscli_get, not a value.
func TestGetChecksEcho(t *testing.T) {
	for _, tt := range []struct {
		reply string
		want  string
		err   error
	}{
		{"VAR ups ups.status \"OL\"\n", "OL", nil},
		{"VAR UPS UPS.STATUS \"OL\"\n", "OL", nil},
		{"VAR ups battery.charge \"100\"\n", "", nutclient.ErrProtocol},
		{"VAR other ups.status \"OB\"\n", "", nutclient.ErrProtocol},
		{"NUMLOGINS ups 1\n", "", nutclient.ErrProtocol},
	} {
		a, b := net.Pipe()
		go func() {
			r := bufio.NewReader(b)
			r.ReadString('\n')
			b.Write([]byte(tt.reply))
		}()
		c := nutclient.New(a)
		got, err := c.Var("ups", "ups.status")
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("reply %q: %q, %v; want %q, %v", tt.reply, got, err, tt.want, tt.err)
		}
		a.Close()
		b.Close()
	}
}

// deadlineConn records the last deadline set on a connection.
type deadlineConn struct {
	net.Conn
	last time.Time
}

func (d *deadlineConn) SetDeadline(t time.Time) error { d.last = t; return d.Conn.SetDeadline(t) }

// TestIdleWithoutDeadline: once a request is answered, the connection
// carries no deadline (an armed one wakes the program when it passes,
// long after the request: a kept connection's cost while idle).
func TestIdleWithoutDeadline(t *testing.T) {
	t.Parallel()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go func() {
		r := bufio.NewReader(b)
		for _, reply := range []string{"1.3\n", "BEGIN LIST UPS\nUPS u \"d\"\nEND LIST UPS\n", "ERR UNKNOWN-UPS\n"} {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
			b.Write([]byte(reply))
		}
	}()
	dc := &deadlineConn{Conn: a}
	c := nutclient.New(dc)
	if _, err := c.Cmd("NETVER"); err != nil {
		t.Fatal(err)
	}
	if !dc.last.IsZero() {
		t.Errorf("after Cmd: deadline %v left set", dc.last)
	}
	if _, err := c.List("UPS"); err != nil {
		t.Fatal(err)
	}
	if !dc.last.IsZero() {
		t.Errorf("after List: deadline %v left set", dc.last)
	}
	if _, err := c.Cmd("GET VAR x ups.status"); err == nil {
		t.Fatal("ERR UNKNOWN-UPS not an error")
	}
	if !dc.last.IsZero() {
		t.Errorf("after an ERR reply: deadline %v left set", dc.last)
	}
}
