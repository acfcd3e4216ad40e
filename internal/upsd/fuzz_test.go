package upsd

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
)

type fuzzDriver struct{}

func (fuzzDriver) SetVar(string, string) int  { return driversock.StatusHandled }
func (fuzzDriver) InstCmd(string, string) int { return driversock.StatusHandled }

// replyPrefixes are the shapes of every line upsd may send.
var replyPrefixes = []string{
	"OK", "ERR ", "VAR ", "TYPE ", "DESC ", "CMDDESC ", "UPSDESC ", "NUMLOGINS ", "BEGIN LIST ",
	"END LIST ", "UPS ", "RW ", "CMD ", "ENUM ", "RANGE ", "CLIENT ", "Network UPS Tools upsd ",
	"1.3", "Commands: ", "PENDING", "SUCCESS", "ON", "OFF", "STATUS ",
}

// FuzzSession feeds arbitrary client bytes through a connection of a
// server whose UPS has live data: no panic, every reply line has one of
// the protocol's shapes, and replies stay proportionate to the input.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"GET VAR ups ups.status\nLIST VAR ups\n",
		"USERNAME admin\nPASSWORD pw\nLOGIN ups\nPRIMARY ups\nFSD ups\nSET VAR ups ups.id \"x\"\nINSTCMD ups test.battery.start\n",
		"SET TRACKING ON\nINSTCMD ups test.battery.start\nGET TRACKING 00000000-0000-4000-8000-000000000000\n",
		"LIST ENUM ups ups.id\nLIST RANGE ups ups.id\nLIST CLIENT ups\nLIST CMD ups\nLIST RW ups\nLIST UPS\n",
		"GET TYPE ups ups.id\nGET DESC ups ups.status\nGET CMDDESC ups load.off\nGET UPSDESC ups\nGET NUMLOGINS ups\n",
		"VER\nNETVER\nPROTVER\nHELP\nSTARTTLS\nLOGOUT\nGET VAR ups ups.status\n",
		"\"unterminated\\\n# comment \x00\xff\r\n",
		"WATCH ups\nGET VAR ups ups.status\nWATCH ups\n",
	} {
		f.Add([]byte(s))
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		c := newConn(s, a)
		got := make(chan []byte)
		go func() { b, _ := io.ReadAll(b); got <- b }()
		// Half the inputs go the loop's way: inline up to a line that may
		// wait, the rest as the goroutine that takes over feeds it.
		if len(data) > 0 && data[0]&1 == 1 {
			if f := c.feed(data, false, true); f.stop {
				c.flush()
				c.feed(f.rest, f.held, false)
			}
		} else {
			c.feed(data, false, false)
		}
		c.flush()
		c.finish()
		a.Close()
		out := <-got
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r"))
		if !bytes.HasSuffix(out, []byte("\n")) && len(out) > 0 {
			t.Fatalf("reply not newline-terminated: %q", out)
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			if l == "" && len(out) == 0 {
				break
			}
			ok := false
			for _, p := range replyPrefixes {
				if strings.HasPrefix(l, p) {
					ok = true
					break
				}
			}
			if !ok {
				t.Fatalf("reply line %q has no protocol shape (input %q)", l, data)
			}
		}
		// A LIST may answer one line with many; nothing answers a
		// partial line, and no request yields more than a full listing.
		if lines == 0 && len(out) > 0 {
			t.Fatalf("reply %q to input without a complete line", out)
		}
	})
}

// fuzzServer runs a server over a driver publishing a small UPS, for the
// fuzz target and the benchmark of the request path.
func fuzzServer(tb testing.TB) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	dir := tb.TempDir()
	sock := filepath.Join(dir, "fuzz-ups")
	pub := driversock.NewPublisher(fuzzDriver{}, nil)
	pub.Update(func(u *driversock.Updater) {
		u.Set("ups.status", "OL")
		u.Set("ups.id", "x")
		u.SetFlags("ups.id", state.RW|state.String)
		u.SetAux("ups.id", 8)
		u.AddEnum("ups.id", "x")
		u.AddCmd("test.battery.start")
	})
	pub.DataOK()
	dl, err := driversock.Listen(sock)
	if err != nil {
		tb.Fatal(err)
	}
	users, err := config.ParseUsers("upsd.users", []byte("[admin]\npassword = pw\nactions = SET FSD\ninstcmds = ALL\nupsmon primary\n"))
	if err != nil {
		tb.Fatal(err)
	}
	s := New(Config{UPS: []UPSDef{{Name: "ups", Desc: "fuzz", Socket: sock}}, Users: users}, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = pub.Serve(ctx, dl) }()
	go func() { defer wg.Done(); _ = s.Run(ctx, []net.Listener{l}) }()
	tb.Cleanup(func() { cancel(); wg.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		u := s.lookup("ups")
		ready := false
		if u != nil {
			u.link.View(func(_ *state.Tree, a driversock.Availability, _ bool) { ready = a == driversock.Available })
		}
		if ready {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatal("driver never connected")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkFeedGetVar measures the part of a monitor's request that is
// upsd's own code: the loop's feed of a GET VAR line, from its bytes to
// its reply, with no socket. Over loopback the kernel takes most of a
// request's time (README), and varies more than this whole figure from
// run to run, so this is where a change to the request path shows.
func BenchmarkFeedGetVar(b *testing.B) {
	s := fuzzServer(b)
	a, peer := net.Pipe()
	defer a.Close()
	defer peer.Close()
	c := newConn(s, a)
	line := []byte("GET VAR ups ups.status\n")
	want := "VAR ups ups.status \"OL\"\n"
	b.ReportAllocs()
	for b.Loop() {
		c.out = c.out[:0]
		if f := c.feed(line, false, true); f.stop {
			b.Fatal("a GET stopped the loop's feed")
		}
	}
	if string(c.out) != want {
		b.Fatalf("reply %q, want %q", c.out, want)
	}
}
