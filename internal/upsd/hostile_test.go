package upsd_test

import (
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/upsd"
)

// heapInUse is the live heap and stacks after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// TestClientsThatNeverRead: clients that pipeline LIST VAR on a UPS with
// long values and never read cost a bounded amount each, whatever the
// reply's length (it is written in flushAt pieces), are dropped after
// WriteTimeout with one log line, and the memory comes back. (NUT 2.8.0 stayed at ~5 MB RSS in
// this attack; sysnut grew to 687 MB with 20 clients.)
//
// Not parallel: it measures the heap, which other tests would share.
func TestClientsThatNeverRead(t *testing.T) {
	var logs testlog.Buffer
	f := startLogged(t, 200, func(c *upsd.Config) { c.WriteTimeout = 4 * time.Second },
		slog.New(slog.NewTextHandler(&logs, nil)))
	long := strings.Repeat("v", 255)
	f.pub.Update(func(u *driversock.Updater) {
		for i := range 200 {
			u.Set(fmt.Sprintf("test.long%03d", i), long)
		}
	})
	lc := dial(t, f.addr)
	reply := 0
	for deadline := time.Now().Add(5 * time.Second); reply < 200*255 && time.Now().Before(deadline); {
		reply = 0
		for l := lc.ask(t, "LIST VAR test"); !strings.HasPrefix(l, "END LIST"); l = lc.line(t) {
			reply += len(l) + 1
		}
	}
	base := f.srv.NumConns()
	before := heapInUse()
	const clients, requests = 20, 5000
	payload := []byte(strings.Repeat("LIST VAR test\n", requests)) // one copy for all clients
	var conns []net.Conn
	for range clients {
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
		go c.Write(payload)
	}
	// Once the kernel's buffers are full every connection is blocked in a
	// write, holding what it holds until WriteTimeout drops it. The least
	// of several samples is what is held: on a busy machine some samples
	// also catch garbage of writes still going on.
	time.Sleep(time.Second)
	held := heapInUse()
	for range 20 {
		time.Sleep(100 * time.Millisecond)
		held = min(held, heapInUse())
	}
	deadline := time.Now().Add(20 * time.Second)
	for f.srv.NumConns() > base && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range conns {
		c.Close()
	}
	if n := f.srv.NumConns(); n > base {
		t.Fatalf("%d connections still open: clients that never read were not dropped", n)
	}
	after := heapInUse()
	perConn := (int64(held) - int64(before)) / clients
	t.Logf("LIST VAR reply %d bytes; heap before %d KB, while blocked %d KB (%d KB per client), after %d KB",
		reply, before>>10, held>>10, perConn>>10, after>>10)
	// A reply is written in flushAt (16 KiB) pieces, whatever its length;
	// the rest is the server's and the test client's goroutines and buffers.
	if limit := int64(2*16<<10 + 64<<10); perConn > limit {
		t.Errorf("%d bytes per client that never reads, want at most %d", perConn, limit)
	}
	if after > before+4<<20 {
		t.Errorf("memory not given back: %d KB before, %d KB after", before>>10, after>>10)
	}
	if n := strings.Count(logs.String(), "stopped reading its replies"); n != 1 {
		t.Errorf("%d log lines for %d dropped clients, want 1", n, clients)
	}
}
