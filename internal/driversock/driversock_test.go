package driversock_test

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/state"
)

// clock is a settable clock shared by a test and a Link.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder is a Handler remembering what it was asked.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) SetVar(name, value string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, "SET "+name+"="+value)
	return driversock.StatusHandled
}

func (r *recorder) InstCmd(name, param string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, "INSTCMD "+name+" "+param)
	return driversock.StatusUnknown
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func value(l *driversock.Link, name string) (v string, a driversock.Availability) {
	l.View(func(t *state.Tree, av driversock.Availability, _ bool) {
		a = av
		if n := t.Get(name); n != nil {
			v = n.Value
		}
	})
	return
}

func startPublisher(t *testing.T, ctx context.Context, path string, h driversock.Handler) (*driversock.Publisher, context.CancelFunc) {
	t.Helper()
	p := driversock.NewPublisher(h, nil)
	p.Update(func(u *driversock.Updater) {
		u.Set("ups.status", "OL")
		u.Set("ups.mfr", `Acme "Power" \ #1`)
		u.SetFlags("ups.mfr", state.RW|state.String)
		u.SetAux("ups.mfr", 32)
		u.Set("input.transfer.low", "180")
		u.SetFlags("input.transfer.low", state.RW)
		u.AddRange("input.transfer.low", state.Range{Min: 160, Max: 190})
		u.AddCmd("load.off")
	})
	p.DataOK()
	l, err := driversock.Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Serve(pctx, l) }()
	return p, func() { cancel(); <-done }
}

func TestLinkMirrorsPublisher(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "dummy-ups-test")
	rec := &recorder{}
	pub, stop := startPublisher(t, ctx, path, rec)
	defer stop()

	var trackMu sync.Mutex
	tracked := map[string]int{}
	link := driversock.NewLink(driversock.LinkConfig{Path: path, Retry: 20 * time.Millisecond,
		OnTracking: func(id string, st int) { trackMu.Lock(); tracked[id] = st; trackMu.Unlock() }})
	done := make(chan struct{})
	go func() { defer close(done); link.Run(ctx) }()
	defer func() { cancel(); <-done }()

	eventually(t, "dump", func() bool { v, a := value(link, "ups.mfr"); return a == driversock.Available && v != "" })
	link.View(func(tr *state.Tree, a driversock.Availability, dumping bool) {
		v := tr.Get("UPS.MFR")
		if dumping || v.Value != `Acme "Power" \ #1` || v.Flags != state.RW|state.String || v.Aux != 32 {
			t.Errorf("ups.mfr mirrored as %+v (dumping %v)", v, dumping)
		}
		if r := tr.Get("input.transfer.low").Ranges; len(r) != 1 || r[0] != (state.Range{Min: 160, Max: 190}) {
			t.Errorf("ranges %+v", r)
		}
		if !tr.HasCmd("LOAD.OFF") {
			t.Error("command not mirrored")
		}
	})

	pub.Update(func(u *driversock.Updater) { u.Set("ups.status", "OB LB") })
	eventually(t, "broadcast", func() bool { v, _ := value(link, "ups.status"); return v == "OB LB" })

	pub.DataStale()
	eventually(t, "DATASTALE", func() bool { _, a := value(link, "ups.status"); return a == driversock.Stale })
	pub.DataOK()
	eventually(t, "DATAOK", func() bool { _, a := value(link, "ups.status"); return a == driversock.Available })

	if err := link.Send(`SET ups.mfr "new \"one\"" TRACKING ABC`); err != nil {
		t.Fatal(err)
	}
	if err := link.Send("INSTCMD load.off 5 TRACKING DEF"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "tracking replies", func() bool {
		trackMu.Lock()
		defer trackMu.Unlock()
		return len(tracked) == 2
	})
	if tracked["ABC"] != driversock.StatusHandled || tracked["DEF"] != driversock.StatusUnknown {
		t.Errorf("tracking = %v", tracked)
	}
	rec.mu.Lock()
	if want := []string{`SET ups.mfr=new "one"`, "INSTCMD load.off 5"}; strings.Join(rec.seen, "|") != strings.Join(want, "|") {
		t.Errorf("handler saw %q, want %q", rec.seen, want)
	}
	rec.mu.Unlock()
}

func TestLinkReconnects(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "dummy-ups-test")
	link := driversock.NewLink(driversock.LinkConfig{Path: path, Retry: 20 * time.Millisecond})
	done := make(chan struct{})
	go func() { defer close(done); link.Run(ctx) }()
	defer func() { cancel(); <-done }()

	if _, a := value(link, "ups.status"); a != driversock.NotConnected {
		t.Fatalf("availability before the driver exists = %v", a)
	}
	if err := link.Send("PING"); err != driversock.ErrNotConnected {
		t.Fatalf("Send without driver = %v", err)
	}
	_, stop := startPublisher(t, ctx, path, &recorder{})
	eventually(t, "connect", func() bool { v, _ := value(link, "ups.status"); return v == "OL" })
	stop()
	eventually(t, "loss", func() bool { _, a := value(link, "ups.status"); return a == driversock.NotConnected })
	if v, _ := value(link, "ups.status"); v != "" {
		t.Errorf("variables kept after the driver left: %q", v)
	}
	_, stop = startPublisher(t, ctx, path, &recorder{})
	defer stop()
	eventually(t, "reconnect", func() bool { v, a := value(link, "ups.status"); return v == "OL" && a == driversock.Available })
}

// handDriver runs a Link with MAXAGE maxAge on a fake clock against a
// driver socket the test speaks for, and returns the driver's end of the
// accepted connection; all of it ends with the test.
func handDriver(t *testing.T, maxAge time.Duration) (*driversock.Link, *clock, net.Conn, *bufio.Reader) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	path := filepath.Join(t.TempDir(), "drv")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Unix(1e9, 0)}
	link := driversock.NewLink(driversock.LinkConfig{Path: path, MaxAge: maxAge, Now: clk.Now, Tick: 50 * time.Millisecond})
	done := make(chan struct{})
	go func() { defer close(done); link.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; ln.Close() })
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return link, clk, c, bufio.NewReader(c)
}

// TestLinkStalenessAndPing drives a hand-written driver: the link is WAIT
// until DUMPDONE, PINGs a driver silent for MAXAGE/3 while its data is
// read (never while nobody reads) and calls it stale after MAXAGE unless it
// answers.
func TestLinkStalenessAndPing(t *testing.T) {
	t.Parallel()
	link, clk, c, r := handDriver(t, 15*time.Second)
	if l, _ := r.ReadString('\n'); l != "DUMPALL\n" {
		t.Fatalf("first line = %q", l)
	}
	c.Write([]byte("SETINFO ups.status \"OL\"\n"))
	eventually(t, "setinfo", func() bool { v, _ := value(link, "ups.status"); return v == "OL" })
	link.View(func(_ *state.Tree, _ driversock.Availability, dumping bool) {
		if !dumping {
			t.Error("not dumping before DUMPDONE")
		}
	})
	c.Write([]byte("DATAOK\nDUMPDONE\n"))
	eventually(t, "dump done", func() bool {
		var d bool
		link.View(func(_ *state.Tree, _ driversock.Availability, dumping bool) { d = dumping })
		return !d
	})
	// While the data is read, a quiet driver is pinged after MAXAGE/3 and
	// one that does not answer is stale after MAXAGE, as NUT's upsd has it.
	clk.Add(6 * time.Second)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if l, err := r.ReadString('\n'); l != "PING\n" {
		t.Fatalf("want PING after MAXAGE/3 of silence, got %q %v", l, err)
	}
	if _, a := value(link, "ups.status"); a != driversock.Available {
		t.Fatalf("stale after 6 s of 15")
	}
	clk.Add(10 * time.Second)
	if _, a := value(link, "ups.status"); a != driversock.Stale {
		t.Fatalf("not stale after 16 s of silence: %v", a)
	}
	if l, err := r.ReadString('\n'); l != "PING\n" {
		t.Fatalf("want a second PING, got %q %v", l, err)
	}
	c.Write([]byte("PONG\n"))
	eventually(t, "fresh again", func() bool { _, a := value(link, "ups.status"); return a == driversock.Available })

	// Nobody reads for longer than idleAfter: no more PINGs.
	clk.Add(70 * time.Second)
	c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if l, err := r.ReadString('\n'); err == nil {
		t.Fatalf("%q sent while nobody read the data", l)
	}
	// The first read then waits for the PONG of the quiet driver and gets
	// the data, where NUT's timed pings would have kept it fresh.
	got := make(chan driversock.Availability, 1)
	go func() { _, a := value(link, "ups.status"); got <- a }()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if l, err := r.ReadString('\n'); l != "PING\n" {
		t.Fatalf("want PING for a read after 70 s, got %q %v", l, err)
	}
	c.Write([]byte("PONG\n"))
	if a := <-got; a != driversock.Available {
		t.Fatalf("a live driver quiet for 70 s called %v", a)
	}
}

func TestDumpOrder(t *testing.T) {
	t.Parallel()
	tr := state.New()
	tr.Set("b.var", "2")
	tr.Set("A.var", "1")
	tr.AddEnum("A.var", "x")
	tr.SetFlags("A.var", state.RW|state.String)
	tr.SetAux("A.var", 8)
	tr.AddRange("b.var", state.Range{Min: 1, Max: 3})
	tr.AddCmd("z.cmd")
	tr.AddCmd("a.cmd")
	want := "DATASTALE\nSETINFO A.var \"1\"\nADDENUM A.var \"x\"\nSETAUX A.var 8\nSETFLAGS A.var RW STRING\n" +
		"SETINFO b.var \"2\"\nADDRANGE b.var 1 3\nADDCMD a.cmd\nADDCMD z.cmd\nDUMPDONE\n"
	if got := string(driversock.AppendDump(nil, tr, true)); got != want {
		t.Errorf("dump:\n%s\nwant:\n%s", got, want)
	}
}

// FuzzDriverLines feeds arbitrary driver output to the parser a Link uses
// and checks that the resulting tree dumps back to itself.
func FuzzDriverLines(f *testing.F) {
	f.Add([]byte("SETINFO ups.status \"OL\"\nSETFLAGS ups.status RW STRING\nSETAUX ups.status 3\nADDCMD x\nDUMPDONE\n"))
	f.Add([]byte("ADDENUM nosuch \"x\"\nADDRANGE v a b\nDELINFO v\nTRACKING id 0\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := state.New()
		var lx nutproto.Lexer
		for _, b := range data {
			if lx.Feed(b) == nutproto.Line {
				driversock.ApplyForTest(tr, lx.Words())
			}
		}
		dump := driversock.AppendDump(nil, tr, false)
		again := state.New()
		var lx2 nutproto.Lexer
		for _, b := range dump {
			if lx2.Feed(b) == nutproto.Line {
				driversock.ApplyForTest(again, lx2.Words())
			}
		}
		if d2 := driversock.AppendDump(nil, again, false); string(d2) != string(dump) {
			t.Fatalf("dump does not round-trip:\n%s\n---\n%s", dump, d2)
		}
	})
}

// TestReadsDoNotFloodPings: with a short MAXAGE (3 s, as the interop tests
// use), reads of a quiet driver send one PING, not one per read.
func TestReadsDoNotFloodPings(t *testing.T) {
	t.Parallel()
	link, clk, c, r := handDriver(t, 3*time.Second)
	r.ReadString('\n') // DUMPALL
	c.Write([]byte("SETINFO ups.status \"OL\"\nDATAOK\nDUMPDONE\n"))
	eventually(t, "dump done", func() bool { v, _ := value(link, "ups.status"); return v == "OL" })
	clk.Add(700 * time.Millisecond)
	for range 20 {
		value(link, "ups.status")
		time.Sleep(5 * time.Millisecond) // the pinger's turn
	}
	pings := 0
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		l, err := r.ReadString('\n')
		if err != nil {
			break
		}
		if l == "PING\n" {
			pings++
		}
	}
	if pings != 1 {
		t.Errorf("%d PINGs for 20 reads of a driver quiet for 0.7 s (MAXAGE 3 s), want 1", pings)
	}
}
