package dummy_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/dummy"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
)

// TestFileChangeReachesUpsdWithoutPolling: with a poll interval of an
// hour, a change to the .dev file, written in place or moved into place,
// still reaches upsd's mirror of the driver socket: the driver watches
// the file (inotify) instead of waiting for its next poll.
func TestFileChangeReachesUpsdWithoutPolling(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "ups.dev")
	if err := os.WriteFile(dev, []byte("ups.status: OL\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ups := &config.UPS{Name: "ups", Driver: "dummy-ups", Port: "ups.dev",
		Params: []config.Param{{Key: "port", Value: "ups.dev"}}}
	p, err := dummy.New(driver.Params{UPS: ups, ConfDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "dummy-ups-ups")
	l, err := driversock.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		driver.Run(ctx, p, driver.Params{UPS: ups, ConfDir: dir}, driver.Options{Driver: "dummy-ups", PollInterval: time.Hour}, l)
	}()
	link := driversock.NewLink(driversock.LinkConfig{Path: sock, Retry: 5 * time.Millisecond})
	go func() { defer wg.Done(); link.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	status := func() (s string) {
		link.View(func(t *state.Tree, a driversock.Availability, _ bool) {
			if v := t.Get("ups.status"); v != nil && a == driversock.Available {
				s = v.Value
			}
		})
		return
	}
	waitFor := func(want string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for status() != want {
			if time.Now().After(deadline) {
				var a driversock.Availability
				var raw string
				link.View(func(t *state.Tree, av driversock.Availability, _ bool) {
					a = av
					if v := t.Get("ups.status"); v != nil {
						raw = v.Value
					}
				})
				t.Fatalf("ups.status %q never reached upsd's side within %v (poll interval is an hour); it reads %q, availability %d",
					want, within, raw, a)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// Start-up, on a CI machine running every package at once: generous.
	waitFor("OL", 30*time.Second)
	time.Sleep(50 * time.Millisecond) // the driver is waiting now
	if err := os.WriteFile(dev, []byte("ups.status: OB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("OB", 5*time.Second)
	tmp := filepath.Join(dir, ".ups.dev.new")
	os.WriteFile(tmp, []byte("ups.status: OB LB\n"), 0o644)
	if err := os.Rename(tmp, dev); err != nil {
		t.Fatal(err)
	}
	waitFor("OB LB", 5*time.Second)
}
