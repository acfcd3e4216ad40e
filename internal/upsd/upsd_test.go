package upsd_test

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
	"github.com/sysnut/sysnut/internal/upsd"
)

type nopHandler struct{}

func (nopHandler) SetVar(string, string) int  { return driversock.StatusHandled }
func (nopHandler) InstCmd(string, string) int { return driversock.StatusHandled }

// countingListener counts the writes made on each accepted connection.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

// SyscallConn lets the server park the connection and look at its socket,
// as it does with a plain TCP connection; writes through it count too.
func (c *countingConn) SyscallConn() (syscall.RawConn, error) {
	rc, err := c.Conn.(syscall.Conn).SyscallConn()
	return countingRawConn{RawConn: rc, n: c.n}, err
}

type countingRawConn struct {
	syscall.RawConn
	n *atomic.Int64
}

func (c countingRawConn) Write(f func(fd uintptr) bool) error {
	c.n.Add(1)
	return c.RawConn.Write(f)
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(b)
}

type fixture struct {
	addr   string
	srv    *upsd.Server
	pub    *driversock.Publisher
	ln     *countingListener
	socket string
}

func users(t testing.TB) *config.Users {
	t.Helper()
	u, err := config.ParseUsers("upsd.users", []byte("[mon]\npassword = pass\nupsmon primary\n"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// start runs a Publisher with nvars variables and a server for it.
func start(t testing.TB, nvars int, mod func(*upsd.Config)) *fixture {
	t.Helper()
	return startLogged(t, nvars, mod, nil)
}

// startLogged is start with the server logging to log.
func startLogged(t testing.TB, nvars int, mod func(*upsd.Config), log *slog.Logger) *fixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	f := &fixture{socket: filepath.Join(dir, "dummy-ups-test")}
	f.pub = driversock.NewPublisher(nopHandler{}, nil)
	f.pub.Update(func(u *driversock.Updater) {
		u.Set("ups.status", "OL")
		for i := 0; i < nvars; i++ {
			u.Set("test.var"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i/26), "value")
		}
	})
	f.pub.DataOK()
	dl, err := driversock.Listen(f.socket)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = f.pub.Serve(ctx, dl) }()
	cfg := upsd.Config{UPS: []upsd.UPSDef{{Name: "test", Desc: "Test", Socket: f.socket}}, Users: users(t), NoLoop: *noLoop}
	if mod != nil {
		mod(&cfg)
	}
	f.srv = upsd.New(cfg, log)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.ln = &countingListener{Listener: l}
	f.addr = l.Addr().String()
	go func() { defer wg.Done(); _ = f.srv.Run(ctx, []net.Listener{f.ln}) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	c := dial(t, f.addr)
	deadline := time.Now().Add(5 * time.Second)
	for c.ask(t, "GET VAR test ups.status") != `VAR test ups.status "OL"` {
		if time.Now().After(deadline) {
			t.Fatal("server never became ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return f
}

type client struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c: c, r: bufio.NewReader(c)}
}

func (c *client) ask(t testing.TB, line string) string {
	t.Helper()
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.c.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
	return c.line(t)
}

func (c *client) line(t testing.TB) string {
	t.Helper()
	s, err := c.r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v (got %q)", err, s)
	}
	return strings.TrimSuffix(s, "\n")
}

func TestListIsOneWrite(t *testing.T) {
	t.Parallel()
	f := start(t, 60, nil)
	c := dial(t, f.addr)
	before := f.ln.writes.Load()
	if got := c.ask(t, "LIST VAR test"); got != "BEGIN LIST VAR test" {
		t.Fatalf("got %q", got)
	}
	n := 0
	for c.line(t) != "END LIST VAR test" {
		n++
	}
	if n != 61 {
		t.Errorf("listed %d variables, want 61", n)
	}
	if w := f.ln.writes.Load() - before; w != 1 {
		t.Errorf("LIST VAR took %d writes, want 1", w)
	}
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	f := start(t, 1, func(c *upsd.Config) { c.IdleTimeout = 300 * time.Millisecond })
	c := dial(t, f.addr)
	// Bytes without a newline do not count as activity, as in NUT.
	for i := 0; i < 5; i++ {
		c.c.Write([]byte("G"))
		time.Sleep(100 * time.Millisecond)
	}
	c.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.r.ReadByte(); err == nil {
		t.Fatal("connection still open after the idle timeout")
	}
}

// alive reports whether the server still answers on c.
func (c *client) alive() bool {
	c.c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.c.Write([]byte("NETVER\n")); err != nil {
		return false
	}
	s, err := c.r.ReadString('\n')
	return err == nil && s == "1.3\n"
}

func (c *client) login(t *testing.T) {
	t.Helper()
	for _, l := range []string{"USERNAME mon", "PASSWORD pass", "LOGIN test"} {
		if got := c.ask(t, l); got != "OK" {
			t.Fatalf("%s: %q", l, got)
		}
	}
}

// TestMaxConn: at MAXCONN a newcomer displaces an unauthenticated
// connection, one that never spoke before one that did; authenticated
// sessions are never displaced, and when only they are left, the
// newcomer is refused.
func TestMaxConn(t *testing.T) {
	t.Parallel()
	f := start(t, 1, func(c *upsd.Config) { c.MaxConn = 3 })
	// start() left one connection open that has sent lines.
	mon := dial(t, f.addr)
	mon.login(t)
	anon := dial(t, f.addr) // never speaks (alive() would make it speak)
	second := dial(t, f.addr)
	if !second.alive() {
		t.Fatal("newcomer refused while an anonymous connection could go")
	}
	if anon.alive() {
		t.Error("the silent connection was kept at MAXCONN, another displaced")
	}
	if !mon.alive() {
		t.Error("the authenticated session was displaced")
	}
	second.login(t)
	over := dial(t, f.addr) // displaces start()'s connection, which spoke but never logged in
	if !over.alive() {
		t.Fatal("newcomer refused while an unauthenticated connection could go")
	}
	over.login(t)
	last := dial(t, f.addr)
	if last.alive() {
		t.Error("newcomer served although every connection is authenticated")
	}
	for _, c := range []*client{mon, second, over} {
		if !c.alive() {
			t.Error("an authenticated session was dropped")
		}
	}
}

// TestMonitorSurvivesFlood: silent connections pour in far beyond MAXCONN
// while a monitor polls; it never misses a reply, and a monitor that
// reconnects during the flood gets in at once: the flood's silent
// connections go first, oldest first, so a newcomer has MAXCONN
// arrivals' time to speak (here 1,000 arrivals, ~0.1 s at this flood's
// rate; the default MAXCONN is thousands).
func TestMonitorSurvivesFlood(t *testing.T) {
	t.Parallel()
	const maxConn = 1000
	f := start(t, 1, func(c *upsd.Config) { c.MaxConn = maxConn })
	mon := dial(t, f.addr)
	mon.login(t)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var opened atomic.Int64
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := net.Dial("tcp", f.addr)
				if err != nil {
					continue
				}
				opened.Add(1)
				held = append(held, c)
				if len(held) > maxConn/4 { // 8 flooders hold twice MAXCONN
					held[0].Close()
					held = held[1:]
				}
			}
		}()
	}
	for opened.Load() < 3*maxConn {
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < 200; i++ {
		if got := mon.ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
			t.Fatalf("poll %d during the flood: %q", i, got)
		}
	}
	// At the first attempt.
	rejoined := false
	for attempt := 0; attempt < 1 && !rejoined; attempt++ {
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			continue
		}
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Write([]byte("USERNAME mon\nPASSWORD pass\nLOGIN test\n"))
		r := bufio.NewReader(c)
		ok := 0
		for ok < 3 {
			if l, err := r.ReadString('\n'); err != nil || l != "OK\n" {
				break
			}
			ok++
		}
		rejoined = ok == 3
		c.Close()
	}
	close(stop)
	wg.Wait()
	if !rejoined {
		t.Error("a reconnecting monitor could not log in during the flood")
	}
	t.Logf("flood: %d connections against MAXCONN %d", opened.Load(), maxConn)
}

func TestReloadKeepsConnectionsAndState(t *testing.T) {
	t.Parallel()
	f := start(t, 1, nil)
	c := dial(t, f.addr)
	for _, l := range []string{"USERNAME mon", "PASSWORD pass", "LOGIN test"} {
		if got := c.ask(t, l); got != "OK" {
			t.Fatalf("%s: %q", l, got)
		}
	}
	f.srv.Reload(upsd.Config{UPS: []upsd.UPSDef{
		{Name: "test", Desc: "Renamed", Socket: f.socket},
		{Name: "extra", Socket: filepath.Join(t.TempDir(), "none")},
	}, Users: users(t)})
	if got := c.ask(t, "GET NUMLOGINS test"); got != "NUMLOGINS test 1" {
		t.Errorf("login lost across reload: %q", got)
	}
	if got := c.ask(t, "GET UPSDESC test"); got != `UPSDESC test "Renamed"` {
		t.Errorf("desc not reloaded: %q", got)
	}
	if got := c.ask(t, "GET VAR extra ups.status"); got != "ERR DRIVER-NOT-CONNECTED" {
		t.Errorf("new UPS: %q", got)
	}
	if got := c.ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
		t.Errorf("state lost across reload: %q", got)
	}
}

func TestTrackingLifecycle(t *testing.T) {
	t.Parallel()
	f := start(t, 1, func(c *upsd.Config) {
		u, _ := config.ParseUsers("upsd.users", []byte("[admin]\npassword = x\nactions = SET\ninstcmds = ALL\n"))
		c.Users = u
	})
	f.pub.Update(func(u *driversock.Updater) {
		u.AddCmd("test.battery.start")
		u.Set("ups.delay.shutdown", "20")
		u.SetFlags("ups.delay.shutdown", state.RW)
		u.AddRange("ups.delay.shutdown", state.Range{Min: 0, Max: 600})
	})
	c := dial(t, f.addr)
	for _, l := range []string{"USERNAME admin", "PASSWORD x", "SET TRACKING ON"} {
		if got := c.ask(t, l); got != "OK" {
			t.Fatalf("%s: %q", l, got)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.ask(t, "GET TYPE test ups.delay.shutdown") != "TYPE test ups.delay.shutdown RW RANGE NUMBER" {
		if time.Now().After(deadline) {
			t.Fatal("range never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := c.ask(t, "SET VAR test ups.delay.shutdown 601"); got != "ERR INVALID-VALUE" {
		t.Errorf("out of range: %q", got)
	}
	got := c.ask(t, "INSTCMD test test.battery.start")
	id, ok := strings.CutPrefix(got, "OK TRACKING ")
	if !ok || len(id) != 36 || strings.ToUpper(id) != id {
		t.Fatalf("INSTCMD with tracking = %q", got)
	}
	for {
		st := c.ask(t, "GET TRACKING "+id)
		if st == "SUCCESS" {
			break
		}
		if st != "PENDING" || time.Now().After(deadline) {
			t.Fatalf("GET TRACKING = %q", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSetChecks covers the SET checks NUT's dummy-ups cannot produce:
// enumerations and a driver that gave a string variable no length.
func TestSetChecks(t *testing.T) {
	t.Parallel()
	f := start(t, 1, func(c *upsd.Config) {
		u, _ := config.ParseUsers("upsd.users", []byte("[admin]\npassword = x\nactions = SET\n"))
		c.Users = u
	})
	f.pub.Update(func(u *driversock.Updater) {
		u.Set("input.sensitivity", "M")
		u.SetFlags("input.sensitivity", state.RW)
		u.AddEnum("input.sensitivity", "L")
		u.AddEnum("input.sensitivity", "M")
		u.AddEnum("input.sensitivity", "H")
		u.Set("ups.id", "rack")
		u.SetFlags("ups.id", state.RW|state.String)
	})
	c := dial(t, f.addr)
	for _, l := range []string{"USERNAME admin", "PASSWORD x"} {
		if got := c.ask(t, l); got != "OK" {
			t.Fatalf("%s: %q", l, got)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.ask(t, "GET TYPE test ups.id") != "TYPE test ups.id RW STRING:0" {
		if time.Now().After(deadline) {
			t.Fatal("variables never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for req, want := range map[string]string{
		"GET TYPE test input.sensitivity":      "TYPE test input.sensitivity RW ENUM NUMBER",
		"SET VAR test input.sensitivity X":     "ERR INVALID-VALUE",
		"SET VAR test input.sensitivity h":     "ERR INVALID-VALUE",
		"SET VAR test input.sensitivity H":     "OK",
		"SET VAR test ups.id somewhere":        "ERR SET-FAILED",
		"LIST ENUM test ups.id":                "BEGIN LIST ENUM test ups.id",
		"GET VAR test input.sensitivity x y z": `VAR test input.sensitivity "M"`,
	} {
		if got := c.ask(t, req); got != want {
			t.Errorf("%s = %q, want %q", req, got, want)
		}
		if strings.HasPrefix(want, "BEGIN") {
			c.line(t) // END
		}
	}
}
