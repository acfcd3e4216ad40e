package nutclient_test

import (
	"bufio"
	"errors"
	"net"
	"testing"

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
