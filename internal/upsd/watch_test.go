package upsd_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nuttls"
	"github.com/sysnut/sysnut/internal/nuttls/testcert"
	"github.com/sysnut/sysnut/internal/upsd"
)

// setStatus publishes a new ups.status from the fixture's driver.
func (f *fixture) setStatus(s string) {
	f.pub.Update(func(u *driversock.Updater) { u.Set("ups.status", s) })
}

// expect reads c's next line and fails unless it is want.
func (c *client) expect(t *testing.T, want string) {
	t.Helper()
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if got := c.line(t); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestWatch: after WATCH a connection gets the current status and then
// every change of what GET VAR ups.status answers (FSD and the driver's
// staleness included) and nothing else, even while parked and long past
// the idle timeout that closes other quiet connections; what it sends is
// ignored.
func TestWatch(t *testing.T) {
	t.Parallel()
	f := start(t, 3, func(c *upsd.Config) {
		c.IdleTimeout = 300 * time.Millisecond
	})
	w := dial(t, f.addr)
	if got := w.ask(t, "WATCH test"); got != "OK WATCHING" {
		t.Fatalf("WATCH: %q", got)
	}
	w.expect(t, `STATUS test "OL"`)

	time.Sleep(600 * time.Millisecond) // parked, and twice the idle timeout
	if f.srv.NumParked() == 0 && !*noLoop {
		t.Error("a quiet watcher was not parked")
	}
	f.setStatus("OB")
	w.expect(t, `STATUS test "OB"`)

	// Other variables change nothing a watcher is told; lines it sends
	// are not answered.
	f.pub.Update(func(u *driversock.Updater) { u.Set("battery.charge", "40") })
	w.c.Write([]byte("GET VAR test ups.status\n"))
	f.setStatus("OB LB")
	w.expect(t, `STATUS test "OB LB"`)

	mon := dial(t, f.addr)
	mon.login(t)
	if got := mon.ask(t, "FSD test"); got != "OK FSD-SET" {
		t.Fatalf("FSD: %q", got)
	}
	w.expect(t, `STATUS test "FSD OB LB"`)

	f.pub.DataStale()
	w.expect(t, "STATUS test ERR DATA-STALE")
	f.pub.DataOK()
	w.expect(t, `STATUS test "FSD OB LB"`)

	// The monitor's session, logged in, meets the idle timeout as before.
	if mon.alive() {
		time.Sleep(time.Second)
	}
	if mon.alive() {
		t.Error("a quiet session that is not watching outlived the idle timeout")
	}
}

// TestWatchErrors: WATCH's refusals are NUT's error words, and a wrong
// password is refused as it is for LOGIN.
func TestWatchErrors(t *testing.T) {
	t.Parallel()
	f := start(t, 1, nil)
	c := dial(t, f.addr)
	for req, want := range map[string]string{
		"WATCH":              "ERR INVALID-ARGUMENT",
		"WATCH nosuch":       "ERR UNKNOWN-UPS",
		"WATCH test nosuch":  "ERR UNKNOWN-UPS",
		"GET VAR test ups.x": "ERR VAR-NOT-SUPPORTED", // the session goes on
	} {
		if got := c.ask(t, req); got != want {
			t.Errorf("%s: %q, want %q", req, got, want)
		}
	}
	bad := dial(t, f.addr)
	bad.ask(t, "USERNAME mon")
	bad.ask(t, "PASSWORD wrong")
	if got := bad.ask(t, "WATCH test"); got != "ERR ACCESS-DENIED" {
		t.Errorf("WATCH with a wrong password: %q", got)
	}
	good := dial(t, f.addr)
	good.ask(t, "USERNAME mon")
	good.ask(t, "PASSWORD pass")
	if got := good.ask(t, "WATCH test TEST"); got != "OK WATCHING" {
		t.Fatalf("WATCH with the password: %q", got)
	}
	good.expect(t, `STATUS test "OL"`)
	good.expect(t, `STATUS test "OL"`)
}

// TestWatchUPSRemoved: a reload that drops the UPS closes its watchers,
// which learn why by asking again.
func TestWatchUPSRemoved(t *testing.T) {
	t.Parallel()
	f := start(t, 1, nil)
	w := dial(t, f.addr)
	w.ask(t, "WATCH test")
	w.expect(t, `STATUS test "OL"`)
	f.srv.Reload(upsd.Config{Users: users(t)})
	w.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if s, err := w.r.ReadString('\n'); err == nil {
		t.Fatalf("watcher of a removed UPS still open, got %q", s)
	}
	if got := dial(t, f.addr).ask(t, "WATCH test"); got != "ERR UNKNOWN-UPS" {
		t.Errorf("WATCH after the reload: %q", got)
	}
}

// TestWatchTLS: a watcher over STARTTLS is pushed to as a plain one is.
func TestWatchTLS(t *testing.T) {
	t.Parallel()
	certs := testcert.New(t)
	f := start(t, 1, func(c *upsd.Config) {
		c.TLS = serverTLS(t, certs, nuttls.NoClientCert)
	})
	raw := dial(t, f.addr)
	if got := raw.ask(t, "STARTTLS"); got != "OK STARTTLS" {
		t.Fatalf("STARTTLS: %q", got)
	}
	tc := tls.Client(raw.c, &tls.Config{InsecureSkipVerify: true})
	w := &client{c: tc, r: bufio.NewReader(tc)}
	if got := w.ask(t, "WATCH test"); got != "OK WATCHING" {
		t.Fatalf("WATCH over TLS: %q", got)
	}
	w.expect(t, `STATUS test "OL"`)
	time.Sleep(200 * time.Millisecond)
	f.setStatus("OB DISCHRG")
	w.expect(t, `STATUS test "OB DISCHRG"`)
}

// TestWatchMany: one change reaches a thousand parked watchers.
func TestWatchMany(t *testing.T) {
	t.Parallel()
	f := start(t, 1, nil)
	const n = 1000
	ws := make([]*client, n)
	for i := range ws {
		ws[i] = dial(t, f.addr)
		ws[i].c.Write([]byte("WATCH test\n"))
	}
	for _, w := range ws {
		w.expect(t, "OK WATCHING")
		w.expect(t, `STATUS test "OL"`)
	}
	time.Sleep(100 * time.Millisecond)
	f.setStatus("OB DISCHRG")
	for _, w := range ws {
		w.expect(t, `STATUS test "OB DISCHRG"`)
	}
}

// TestWatchStuck: a watcher that stopped reading is dropped once its
// socket is full, and the others go on being told.
func TestWatchStuck(t *testing.T) {
	t.Parallel()
	f := start(t, 1, nil)
	good := dial(t, f.addr)
	good.ask(t, "WATCH test")
	good.expect(t, `STATUS test "OL"`)
	base := f.srv.NumConns()
	stuck, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	stuck.(*net.TCPConn).SetReadBuffer(4096)
	stuck.Write([]byte("WATCH test\n"))
	for f.srv.NumConns() == base {
		time.Sleep(time.Millisecond)
	}
	long := strings.Repeat("X", 200) // values are kept to NUT's 256 bytes
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; f.srv.NumConns() > base; i++ {
		if time.Now().After(deadline) {
			t.Fatal("a watcher that never reads was never dropped")
		}
		f.setStatus(fmt.Sprintf("OB %s%d", long, i))
		time.Sleep(20 * time.Microsecond)
	}
	f.setStatus("OL CHRG")
	good.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for good.line(t) != `STATUS test "OL CHRG"` {
	}
}

// TestStatusChangeAndClients: GET STATUSCHANGE says when the status
// clients see last changed (FSD and staleness included, other variables
// not), and GET NUMCLIENTS how many connections upsd holds: the two
// numbers ups-metrics exports that the NUT protocol has no word for.
func TestStatusChangeAndClients(t *testing.T) {
	t.Parallel()
	f := start(t, 3, nil)
	c := dial(t, f.addr)
	when := func() float64 {
		t.Helper()
		var name string
		var at float64
		got := c.ask(t, "GET STATUSCHANGE test")
		if _, err := fmt.Sscanf(got, "STATUSCHANGE %s %f", &name, &at); err != nil || name != "test" {
			t.Fatalf("GET STATUSCHANGE: %q", got)
		}
		return at
	}
	now := func() float64 { return float64(time.Now().UnixMilli()) / 1e3 }
	// upsd notes the first status from its push of it, a moment after
	// the driver's dump that start waits for.
	for deadline := time.Now().Add(5 * time.Second); c.ask(t, "GET STATUSCHANGE test") == "ERR DATA-STALE"; {
		if time.Now().After(deadline) {
			t.Fatal("no status change noted")
		}
		time.Sleep(5 * time.Millisecond)
	}
	first := when()
	if first <= 0 || first > now() {
		t.Fatalf("first status change at %v, now %v", first, now())
	}
	time.Sleep(20 * time.Millisecond)
	f.pub.Update(func(u *driversock.Updater) { u.Set("battery.charge", "40") })
	for deadline := time.Now().Add(5 * time.Second); c.ask(t, "GET VAR test battery.charge") != `VAR test battery.charge "40"`; {
		if time.Now().After(deadline) {
			t.Fatal("battery.charge never reached upsd")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := when(); got != first {
		t.Errorf("a change of battery.charge moved the status change from %v to %v", first, got)
	}
	before := now()
	f.setStatus("OB")
	deadline := time.Now().Add(5 * time.Second)
	for when() < before {
		if time.Now().After(deadline) {
			t.Fatal("GET STATUSCHANGE did not move after ups.status changed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := c.ask(t, "GET STATUSCHANGE nosuch"); got != "ERR UNKNOWN-UPS" {
		t.Errorf("GET STATUSCHANGE of an unknown UPS: %q", got)
	}

	var n int
	got := c.ask(t, "GET NUMCLIENTS")
	if _, err := fmt.Sscanf(got, "NUMCLIENTS %d", &n); err != nil || n < 1 {
		t.Fatalf("GET NUMCLIENTS: %q", got)
	}
	d := dial(t, f.addr)
	if got, want := d.ask(t, "GET NUMCLIENTS"), fmt.Sprintf("NUMCLIENTS %d", n+1); got != want {
		t.Errorf("one more client: %q, want %q", got, want)
	}
}
