package dbusapi

import (
	"bufio"
	"context"
	"net"
	"testing"

	"github.com/sysnut/sysnut/internal/nuttls"
)

// TestKeptConnectionClosedByServer: when upsd has closed the kept
// connection (its idle timeout), the next read dials again instead of
// failing.
func TestKeptConnectionClosedByServer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			// One request per connection, then gone, as after an idle
			// timeout.
			if line, err := bufio.NewReader(c).ReadString('\n'); err == nil && line == "LIST UPS\n" {
				c.Write([]byte("BEGIN LIST UPS\nUPS test \"Test\"\nEND LIST UPS\n"))
			}
			c.Close()
		}
	}()
	n := &NUT{Addr: l.Addr().String(), TLS: nuttls.Client{Disabled: true}}
	defer func() {
		if n.read != nil {
			n.read.Close()
		}
	}()
	for i := range 3 {
		ups, err := n.UPS(context.Background())
		if err != nil || len(ups) != 1 || ups[0].Name != "test" {
			t.Fatalf("read %d: %v, %v", i, ups, err)
		}
	}
}
