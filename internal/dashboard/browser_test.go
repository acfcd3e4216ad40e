package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/cdp"
	"github.com/sysnut/sysnut/internal/dashboard"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/snapshot"
	"github.com/sysnut/sysnut/internal/testrig"
)

// journal stands in for journald in this test: upsmon's ONBATT and
// ONLINE entries, in journalctl -o json's shape, read by the same parser
// the service uses (the nspawn test reads the real journal).
type journal struct {
	mu   sync.Mutex
	rows []string
}

func (j *journal) add(typ, ups string, at time.Time, extra string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.rows = append(j.rows, fmt.Sprintf(`{"__REALTIME_TIMESTAMP":"%d","_BOOT_ID":"b","MESSAGE_ID":"%s","NOTIFYTYPE":"%s","UPS":"%s","MESSAGE":"UPS %s: %s"%s}`,
		at.UnixMicro(), events.NotifyID(typ), typ, ups, ups, typ, extra))
}

func (j *journal) read(_ context.Context, q events.Query) ([]events.Event, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	entries, err := events.ParseJSON(strings.NewReader(strings.Join(j.rows, "\n")))
	return events.Filter(events.Build(entries), q.UPS, q.Since, q.Until), err
}

func startDashboard(t *testing.T, rig *testrig.Rig, j *journal, seed func(*dashboard.Store)) *httptest.Server {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	store, err := dashboard.OpenStore(t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	if seed != nil {
		seed(store)
	}
	t.Cleanup(func() { store.Close() })
	s := &dashboard.Sampler{Server: snapshot.Server{Addr: rig.Addr}, Store: store, Log: log, Every: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	h := &dashboard.Handler{Sampler: s, Store: store, Log: log}
	if j != nil {
		h.Events = j.read
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); cancel(); wg.Wait() })
	return srv
}

// TestPageInBrowser loads the dashboard in headless Chromium while the
// simulated UPS goes through a power failure, and checks what a person
// sees: the status in words turning to on battery (pushed, without a
// reload), the charge chart gaining points, the outage in the history
// once mains is back; no console errors; a screenshot is kept.
func TestPageInBrowser(t *testing.T) {
	exe, err := cdp.Find()
	if err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatalf("SYSNUT_REQUIRE_NUT=1 but %v", err)
		}
		t.Skip(err)
	}
	rig := testrig.Start(t, testrig.Options{UPS: "myups"})
	set := func(kv ...string) {
		rig.Publisher.Update(func(u *driversock.Updater) {
			for i := 0; i+1 < len(kv); i += 2 {
				u.Set(kv[i], kv[i+1])
			}
		})
	}
	set("battery.charge", "100", "ups.load", "23", "input.voltage", "231.0", "output.voltage", "230.0",
		"battery.runtime", "1800", "device.mfr", "APC", "device.model", "Back-UPS ES 700")
	j := &journal{}
	srv := startDashboard(t, rig, j, func(st *dashboard.Store) { earlier(t, st, j) })

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b, err := cdp.Start(ctx, exe, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	page, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := page.Navigate(ctx, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	text := func(sel string) string {
		var s string
		if err := page.Eval(ctx, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	chartAttr := func(name string) int64 {
		var n int64
		page.Eval(ctx, `Number((document.querySelector("#ups-myups-charts svg") || {getAttribute(){return 0}}).getAttribute("data-`+name+`"))`, &n)
		return n
	}
	points := func() int { return int(chartAttr("points")) }
	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				shot(t, ctx, page, "dashboard-failed.png")
				var label string
				page.Eval(ctx, `(document.querySelector("#ups-myups-charts svg") || {getAttribute(){return ""}}).getAttribute("aria-label")`, &label)
				t.Fatalf("the page never showed %s; the charge chart says %q; errors: %v", what, label, page.Errors())
			}
		}
	}
	wait("the UPS on line", func() bool { return text("#ups-myups .status-text") == "On line power" })
	if got := text("#ups-myups"); !strings.Contains(got, "100 %") || !strings.Contains(got, "APC Back-UPS ES 700") || !strings.Contains(got, "231.0 V") {
		t.Errorf("card: %q", got)
	}
	wait("a chart", func() bool { return points() >= 600 })

	onbatt := time.Now()
	set("battery.charge", "80", "input.voltage", "0.0")
	rig.SetStatus("OB DISCHRG")
	j.add("ONBATT", "myups@localhost", onbatt, "")
	wait("the UPS on battery", func() bool { return text("#ups-myups .status-text") == "On battery, Discharging" })
	// A screen reader hears it from the page's live region.
	wait("the change announced", func() bool { return text("#announce") == "myups: On battery, Discharging" })
	var class string
	page.Eval(ctx, `document.querySelector("#ups-myups").className`, &class)
	if !strings.Contains(class, "sev-warning") {
		t.Errorf("on battery, the card is %q", class)
	}
	wait("the charge chart gaining the on-battery points", func() bool {
		var label string
		page.Eval(ctx, `document.querySelector("#ups-myups-charts svg").getAttribute("aria-label")`, &label)
		return chartAttr("last") >= onbatt.Unix() && strings.Contains(label, "latest 80 %")
	})

	set("battery.charge", "78", "input.voltage", "229.0")
	rig.SetStatus("OL CHRG")
	j.add("ONLINE", "myups@localhost", time.Now(), `,"BATTERY_CHARGE_LOWEST":"78"`)
	wait("the outage in the history", func() bool {
		return strings.Count(text("#events tbody"), "Power outage") == 2 && strings.Contains(text("#events tbody"), "lowest charge 78 %")
	})
	wait("the UPS on line again", func() bool { return text("#ups-myups .status-text") == "On line power, Charging" })

	// What a screen reader says of the chart follows it.
	var label string
	wait("the chart's text for screen readers to say the lowest charge", func() bool {
		page.Eval(ctx, `document.querySelector("#ups-myups-charts svg").getAttribute("aria-label")`, &label)
		return regexp.MustCompile(`^Battery charge, \d+ points over 6 h: lowest 5[89](\.\d+)? %, highest 100 %, latest 78 %\.$`).MatchString(label)
	})
	shot(t, ctx, page, "dashboard.png")
	// Keyboard: the range buttons are buttons, and choosing one says so
	// and redraws the charts for that range.
	var pressed string
	page.Eval(ctx, `(() => { const b = document.querySelector('#ranges button[data-range="3600"]'); b.focus(); b.click(); return document.activeElement === b ? b.getAttribute("aria-pressed") : "not focused"; })()`, &pressed)
	if pressed != "true" {
		t.Errorf("the 1 hour button: %q", pressed)
	}
	wait("the 1-hour chart", func() bool { n := points(); return n > 0 && n <= 400 })
	if errs := page.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

// earlier fills the last six hours of the simulated UPS's history, as
// the service would have recorded it: mains with a load that moves, a
// 20-minute outage three hours ago (the battery down to 58 %) and the
// recharge after it; and the outage's journal entries.
func earlier(t *testing.T, st *dashboard.Store, j *journal) {
	now := time.Now().Truncate(dashboard.RecentStep)
	start := now.Add(-6 * time.Hour)
	outage, back := now.Add(-3*time.Hour), now.Add(-160*time.Minute)
	charge := 100.0
	for at := start; at.Before(now.Add(-time.Minute)); at = at.Add(dashboard.RecentStep) {
		m := at.Sub(start).Minutes()
		load := 24 + 6*math.Sin(m/40) + 2*math.Sin(m/7)
		status, in := "OL", 230+3*math.Sin(m/55)
		switch {
		case !at.Before(outage) && at.Before(back):
			status, in = "OB DISCHRG", 0
			charge -= 42.0 / 120 // 42 % in 20 min, 120 samples
		case charge < 100:
			status = "OL CHRG"
			charge = math.Min(100, charge+0.08)
		}
		smp := dashboard.Sample{Time: at, Flags: dashboard.StatusFlags(status)}
		for i, v := range []float64{math.Round(charge), 1800 * charge / 100, math.Round(load), math.Round(in*10) / 10, 230, 13.4} {
			smp.Values[i] = float32(v)
		}
		if err := st.Add("myups", smp); err != nil {
			t.Fatal(err)
		}
	}
	j.add("ONBATT", "myups@localhost", outage, "")
	j.add("ONLINE", "myups@localhost", back, `,"BATTERY_CHARGE_LOWEST":"58"`)
}

// shot keeps a screenshot in $SYSNUT_ARTIFACTS (CI keeps it) or the
// test's directory.
func shot(t *testing.T, ctx context.Context, p *cdp.Page, name string) {
	png, err := p.Screenshot(ctx)
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	dir := os.Getenv("SYSNUT_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err == nil {
		t.Logf("screenshot: %s", path)
	}
}

// TestAPI: the page's data as JSON, read-only.
func TestAPI(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{UPS: "myups"})
	srv := startDashboard(t, rig, nil, nil)
	get := func(path string, out any) int {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	var st dashboard.State
	if code := get("/api/state", &st); code != 200 || !st.UpsdUp || len(st.UPS) != 1 || st.UPS[0].Name != "myups" || st.UPS[0].Status != "OL" || st.UPS[0].Vars["battery.charge"] != "100" {
		t.Fatalf("state: %d %+v", code, st)
	}
	var h struct {
		Step   int      `json:"step"`
		Fields []string `json:"fields"`
		Points [][]any  `json:"points"`
	}
	if code := get("/api/history?ups=myups&range=3600", &h); code != 200 || h.Step != 10 || len(h.Points) < 1 || h.Points[0][1] != 100.0 {
		t.Errorf("history: %d %+v", code, h)
	}
	for _, bad := range []string{"/api/history?ups=myups", "/api/history?range=60", "/api/history?ups=myups&range=999999999"} {
		if code := get(bad, nil); code != 400 {
			t.Errorf("%s: HTTP %d", bad, code)
		}
	}
	var ev struct {
		Events []any  `json:"events"`
		Error  string `json:"error"`
	}
	if code := get("/api/events", &ev); code != 200 || ev.Error == "" || ev.Events == nil {
		t.Errorf("events without a journal: %d %+v", code, ev)
	}
	resp, err := srv.Client().Post(srv.URL+"/api/state", "text/plain", nil)
	if err != nil || resp.StatusCode != 405 {
		t.Errorf("POST: %v %v", resp.StatusCode, err)
	}
	for _, asset := range []string{"/", "/app.js", "/app.css"} {
		if code := get(asset, nil); code != 200 {
			t.Errorf("%s: HTTP %d", asset, code)
		}
	}
	_ = net.IPv4len
}
