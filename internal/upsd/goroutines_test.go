package upsd_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/upsd"
)

// serverGoroutines counts the goroutines running upsd's code or a driver
// link's: the test's own (clients, publishers) are left out.
func serverGoroutines() int {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "sysnut/internal/upsd.") || strings.Contains(g, "sysnut/internal/driversock.(*Link)") {
			n++
		}
	}
	return n
}

// TestGoroutinesPerUPS: a served UPS whose status is not changing costs
// upsd one goroutine, the one reading its driver. The ping of a quiet
// driver is a timer, and its watchers' pushes run only while changes
// come. (It was three each: at a thousand UPSes, 2,000 stacks more.)
func TestGoroutinesPerUPS(t *testing.T) {
	const n = 20
	before := serverGoroutines()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	pubs := make([]*driversock.Publisher, n)
	f := start(t, 1, func(c *upsd.Config) {
		dir := t.TempDir()
		for i := 1; i < n; i++ {
			p := driversock.NewPublisher(nopHandler{}, nil)
			p.Update(func(u *driversock.Updater) { u.Set("ups.status", "OL") })
			p.DataOK()
			sock := filepath.Join(dir, fmt.Sprintf("dummy-ups-u%d", i))
			l, err := driversock.Listen(sock)
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() { _ = p.Serve(ctx, l) })
			pubs[i] = p
			c.UPS = append(c.UPS, upsd.UPSDef{Name: fmt.Sprintf("u%d", i), Socket: sock})
		}
	})
	pubs[0] = f.pub
	names := []string{"test"}
	mon := dial(t, f.addr)
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("u%d", i)
		names = append(names, name)
		for deadline := time.Now().Add(5 * time.Second); mon.ask(t, "GET VAR "+name+" ups.status") != `VAR `+name+` ups.status "OL"`; {
			if time.Now().After(deadline) {
				t.Fatalf("%s not served", name)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	w := dial(t, f.addr)
	if got := w.ask(t, "WATCH "+strings.Join(names, " ")); got != "OK WATCHING" {
		t.Fatalf("WATCH: %q", got)
	}
	for _, name := range names {
		w.expect(t, `STATUS `+name+` "OL"`)
	}
	// Every UPS changes twice, a pause between: each change is pushed.
	for _, status := range []string{"OB", "OL"} {
		for _, p := range pubs {
			p.Update(func(u *driversock.Updater) { u.Set("ups.status", status) })
		}
		seen := map[string]bool{}
		for range names {
			line := w.line(t)
			seen[line] = true
		}
		for _, name := range names {
			if want := `STATUS ` + name + ` "` + status + `"`; !seen[want] {
				t.Fatalf("%q not pushed; got %v", want, seen)
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	var got int
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = serverGoroutines() - before
		if got <= n+6 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d UPSes served, watched and polled: %d goroutines of upsd's", n, got)
	if got > n+6 {
		t.Errorf("%d goroutines for %d UPSes at rest, want at most one each and 6 for the server", got, n)
	}
}
