package upsd_test

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/upsd"
)

// noLoop runs every test with each connection on a goroutine of its own
// (Config.NoLoop), the path TLS connections take and all take where epoll
// is unavailable: go test ./internal/upsd -args -upsd.noloop
var noLoop = flag.Bool("upsd.noloop", false, "serve every connection on a goroutine of its own")

// needLoop skips a test about the loop itself when it is switched off.
func needLoop(t *testing.T) {
	t.Helper()
	if *noLoop {
		t.Skip("about the loop; -upsd.noloop is set")
	}
}

// waitParked waits until n connections are in the loop, besides the one
// start made (which stays open).
func waitParked(t *testing.T, f *fixture, n int) {
	t.Helper()
	n++
	deadline := time.Now().Add(5 * time.Second)
	for f.srv.NumParked() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections in the loop, want %d", f.srv.NumParked(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestParkedConnections: a connection is served by the loop from the
// start and after a login (which a goroutine answers), a line split
// across reads completes, and the idle timeout still holds.
func TestParkedConnections(t *testing.T) {
	t.Parallel()
	needLoop(t)
	f := start(t, 1, func(c *upsd.Config) {
		c.IdleTimeout = 1500 * time.Millisecond
	})
	c := dial(t, f.addr)
	waitParked(t, f, 1)
	c.login(t)
	for i := range 5 {
		waitParked(t, f, 1)
		if got := c.ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
			t.Fatalf("request %d in the loop: %q", i, got)
		}
	}
	c.c.Write([]byte("GET VAR te"))
	time.Sleep(150 * time.Millisecond)
	c.c.Write([]byte("st ups.status\n"))
	if got := c.line(t); got != `VAR test ups.status "OL"` {
		t.Fatalf("line split across a pause: %q", got)
	}
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("a connection in the loop outlived the idle timeout")
	}
	waitParked(t, f, -1) // start's own went quiet too

}

// TestLoopNoGoroutinePerConnection: many clients asking at once are
// answered without a goroutine each.
func TestLoopNoGoroutinePerConnection(t *testing.T) {
	needLoop(t)
	f := start(t, 1, nil)
	before := runtime.NumGoroutine()
	const n = 200
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = dial(t, f.addr)
	}
	for round := range 3 {
		for _, c := range cs {
			c.c.Write([]byte("GET VAR test ups.status\nVER\n"))
		}
		for i, c := range cs {
			if got := c.line(t); got != `VAR test ups.status "OL"` {
				t.Fatalf("round %d, client %d: %q", round, i, got)
			}
			c.line(t)
		}
	}
	waitParked(t, f, n)
	if g := runtime.NumGoroutine() - before; g > 10 {
		t.Errorf("%d more goroutines with %d clients served", g, n)
	}
}

// TestLoopHandsOver: lines that may wait (a login, a LIST) in the middle
// of pipelined ones are answered by a goroutine, in order with the rest,
// and the connection goes back to the loop.
func TestLoopHandsOver(t *testing.T) {
	t.Parallel()
	f := start(t, 3, nil)
	c := dial(t, f.addr)
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	c.c.Write([]byte("GET VAR test ups.status\nUSERNAME mon\nPASSWORD pass\nLOGIN test\nGET NUMLOGINS test\n" +
		"LIST UPS\nNETVER\nLIST CLIENT test\nVER\nGET VAR test ups.status\n"))
	want := []string{`VAR test ups.status "OL"`, "OK", "OK", "OK", "NUMLOGINS test 1",
		"BEGIN LIST UPS", `UPS test "Test"`, "END LIST UPS", "1.3", "BEGIN LIST CLIENT test", "CLIENT test 127.0.0.1", "END LIST CLIENT test"}
	for i, w := range want {
		if got := c.line(t); got != w {
			t.Fatalf("reply %d: %q, want %q", i, got, w)
		}
	}
	if got := c.line(t); !strings.HasPrefix(got, "Network UPS Tools upsd") {
		t.Fatalf("VER: %q", got)
	}
	if got := c.line(t); got != `VAR test ups.status "OL"` {
		t.Fatalf("last reply: %q", got)
	}
	if !*noLoop {
		waitParked(t, f, 1)
	}
}

// TestLoopSlowReader: a client that pipelines far more than it reads
// fills its socket; the rest of its replies wait for it on a goroutine,
// while the loop goes on answering others, and it gets every reply, in
// order, once it reads.
func TestLoopSlowReader(t *testing.T) {
	t.Parallel()
	f := start(t, 1, nil)
	slow := dial(t, f.addr)
	// A receive window of its own size (autotuning would grow it), not
	// so small that the sender waits for the window to open by an MSS.
	if err := slow.c.(*net.TCPConn).SetReadBuffer(256 << 10); err != nil {
		t.Fatal(err)
	}
	const n = 60000 // 6.6 MB of replies to 1.7 MB of requests
	sent := make(chan error, 1)
	go func() {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "HELP\nGET VAR test ups.status\n%s", strings.Repeat(" ", i%3))
		}
		_, err := io.WriteString(slow.c, b.String())
		sent <- err
	}()
	time.Sleep(300 * time.Millisecond) // its socket is full by now
	other := dial(t, f.addr)
	start := time.Now()
	if got := other.ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
		t.Fatalf("another client meanwhile: %q", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("another client waited %v", d)
	}
	slow.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(slow.c)
	for i := range n {
		for j, w := range []string{"Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS", `VAR test ups.status "OL"`} {
			got, err := r.ReadString('\n')
			if err != nil || got != w+"\n" {
				t.Fatalf("reply %d/%d: %q, %v", i, j, got, err)
			}
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// TestLoopAfterDeadlines: a connection back in the loop is served past
// the read and write deadlines its goroutine set (a login's write, the
// idle timeout of its reads), which the loop's own reads and writes must
// not inherit.
func TestLoopAfterDeadlines(t *testing.T) {
	t.Parallel()
	f := start(t, 1, func(c *upsd.Config) {
		c.IdleTimeout = 700 * time.Millisecond
		c.WriteTimeout = 1500 * time.Millisecond
	})
	c := dial(t, f.addr)
	c.login(t) // LOGIN is answered by a goroutine, which sets both deadlines
	for i := range 9 {
		time.Sleep(300 * time.Millisecond)
		if got := c.ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
			t.Fatalf("poll %d, %v after the login: %q", i, time.Duration(i+1)*300*time.Millisecond, got)
		}
	}
}
