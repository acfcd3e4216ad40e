package upsd_test

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/upsd"
)

// TestForwardFailure: the driver is connected and its data fresh, but a
// write to its socket fails (it shut its reading side). upsd answers NUT's
// INSTCMD-FAILED and SET-FAILED rather than OK.
func TestForwardFailure(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "fake-ups")
	dl, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	ready := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := dl.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		if l, _ := r.ReadString('\n'); l != "DUMPALL\n" {
			t.Errorf("driver got %q, want DUMPALL", l)
		}
		c.Write([]byte("SETINFO ups.status \"OL\"\nSETINFO ups.id \"x\"\nSETFLAGS ups.id RW STRING\nSETAUX ups.id 8\n" +
			"ADDCMD test.battery.start\nDATAOK\nDUMPDONE\n"))
		time.Sleep(100 * time.Millisecond) // let upsd read the dump first
		c.(*net.UnixConn).CloseRead()
		close(ready)
		// Stay connected and fresh: answer nothing, but keep talking.
		for i := 0; i < 50; i++ {
			if _, err := c.Write([]byte("PONG\n")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	users, err := config.ParseUsers("upsd.users", []byte("[admin]\npassword = pw\nactions = SET\ninstcmds = ALL\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv := upsd.New(upsd.Config{UPS: []upsd.UPSDef{{Name: "ups", Socket: sock}}, Users: users}, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wg.Add(1)
	go func() { defer wg.Done(); srv.Run(ctx, []net.Listener{l}) }()
	defer func() { cancel(); dl.Close(); wg.Wait() }()
	<-ready

	c := dial(t, l.Addr().String())
	for _, tt := range []struct{ req, want string }{
		{"GET VAR ups ups.status", `VAR ups ups.status "OL"`},
		{"USERNAME admin", "OK"},
		{"PASSWORD pw", "OK"},
		{"INSTCMD ups test.battery.start", "ERR INSTCMD-FAILED"},
		{`SET VAR ups ups.id "y"`, "ERR SET-FAILED"},
	} {
		if got := c.ask(t, tt.req); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.req, got, tt.want)
		}
	}
	if strings.Contains(c.ask(t, "GET VAR ups ups.status"), "ERR") {
		t.Error("the failure was not confined to the request")
	}
}
