package modemlines_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/modemlines"
	"github.com/sysnut/sysnut/internal/upssim"
)

// threads is this process's OS thread count.
func threads(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatal("no Threads: line")
	return 0
}

// waitMany times out Wait many times on a quiet port and checks that
// neither goroutines nor threads pile up: before, each timed-out Wait left
// a TIOCMIWAIT blocked on its own thread (~1,800 an hour at genericups's
// poll rate).
func waitMany(t *testing.T, p *modemlines.Port) {
	ctx := context.Background()
	p.Wait(ctx, modemlines.CTS, time.Millisecond) // start the watcher
	g0, t0 := runtime.NumGoroutine(), threads(t)
	const n = 300
	for range n {
		p.Wait(ctx, modemlines.CTS|modemlines.DCD, time.Millisecond)
	}
	g1, t1 := runtime.NumGoroutine(), threads(t)
	if g1-g0 > 5 || t1-t0 > 5 {
		t.Errorf("after %d timed-out waits: goroutines %d -> %d, threads %d -> %d", n, g0, g1, t0, t1)
	}
}

// TestWaitRealUART runs the real ioctl path on a real UART, where TIOCMIWAIT
// blocks even with nothing attached. Machines without one skip, saying so.
func TestWaitRealUART(t *testing.T) {
	const dev = "/dev/ttyS0"
	p, err := modemlines.Open(dev)
	if err != nil {
		t.Skipf("no usable UART to test TIOCMIWAIT on (%v)", err)
	}
	if _, err := p.Get(); err != nil {
		p.Close()
		t.Skipf("%s has no modem lines (no UART behind it): %v", dev, err)
	}
	defer p.Close()
	waitMany(t, p)
}

// TestWaitPty: on a pseudo-terminal TIOCMIWAIT is unsupported; Wait falls
// back to its timeout without spinning or leaking.
func TestWaitPty(t *testing.T) {
	pty, name, err := upssim.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer pty.Close()
	p, err := modemlines.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	waitMany(t, p)
	start := time.Now()
	p.Wait(context.Background(), modemlines.CTS, 50*time.Millisecond)
	if time.Since(start) < 40*time.Millisecond {
		t.Error("Wait on a port without TIOCMIWAIT returned before its timeout")
	}
}
