package loadgen_test

import (
	"context"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/loadgen"
	"github.com/sysnut/sysnut/internal/testrig"
)

// TestMonitors: the simulated monitors log in, poll and watch, and notice
// a status change, by push and by poll, as nutbench -scale counts them.
func TestMonitors(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	for _, watch := range []bool{true, false} {
		watchers := 0
		if watch {
			watchers = 20
		}
		m := loadgen.StartMonitors(context.Background(), loadgen.MonitorOptions{Addr: rig.Addr, UPS: []string{"ups"}, N: 20,
			User: "mon", Password: "pass", Every: 50 * time.Millisecond, Watchers: watchers, Ramp: 20 * time.Millisecond})
		want := int64(20 + watchers)
		deadline := time.Now().Add(10 * time.Second)
		for m.Ready() < want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if m.Ready() != want {
			t.Fatalf("watch=%v: %d sessions in place, want %d", watch, m.Ready(), want)
		}
		m.Await("OB")
		t0 := time.Now()
		rig.SetStatus("OB")
		for n, _, _ := m.Arrived(t0); n < 20 && time.Now().Before(deadline); n, _, _ = m.Arrived(t0) {
			time.Sleep(5 * time.Millisecond)
		}
		if n, _, _ := m.Arrived(t0); n != 20 {
			t.Errorf("watch=%v: %d of 20 monitors saw OB", watch, n)
		}
		if _, polls, errs := m.Slowest(); (!watch && polls == 0) || errs != 0 {
			t.Errorf("watch=%v: %d polls, %d errors", watch, polls, errs)
		}
		rig.SetStatus("OL")
		m.Stop()
	}
}
