// Command dashboardcheck is the nspawn integration test's look at the
// dashboard in headless Chromium: the page served by the socket-activated
// unit shows the UPS on line and the outage the test caused, read from
// the real journal, without console errors; a screenshot is kept.
// Usage: dashboardcheck URL UPS SCREENSHOT.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/cdp"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: dashboardcheck URL UPS SCREENSHOT")
		os.Exit(2)
	}
	if err := check(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "dashboardcheck:", err)
		os.Exit(1)
	}
}

func check(url, ups, shot string) error {
	exe, err := cdp.Find()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir, err := os.MkdirTemp("", "dashboardcheck")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b, err := cdp.Start(ctx, exe, dir)
	if err != nil {
		return err
	}
	defer b.Close()
	p, err := b.NewPage(ctx)
	if err != nil {
		return err
	}
	if err := p.Navigate(ctx, url); err != nil {
		return err
	}
	text := func(sel string) string {
		var s string
		_ = p.Eval(ctx, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel), &s)
		return s
	}
	id := "#ups-" + ups
	var status, events string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		status, events = text(id+" .status-text"), text("#events tbody")
		if strings.HasPrefix(status, "On line power") && strings.Contains(events, "Power outage") && strings.Contains(events, "lowest charge 80 %") {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the page shows status %q and events %q; errors: %q", status, events, p.Errors())
		}
	}
	png, err := p.Screenshot(ctx)
	if err == nil {
		err = os.WriteFile(shot, png, 0o644)
	}
	if err != nil {
		return err
	}
	if errs := p.Errors(); len(errs) > 0 {
		return fmt.Errorf("console errors: %q", errs)
	}
	var rows string
	_ = p.Eval(ctx, `[...document.querySelectorAll("#events tbody tr")].map(r => [...r.cells].map(c => c.textContent).join(" | ")).join("; ")`, &rows)
	fmt.Printf("status %q; events: %s\n", status, rows)
	return nil
}
