package metrics_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/metrics"
	"github.com/sysnut/sysnut/internal/testrig"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// options are nut_exporter's defaults.
func options(t testing.TB, addr string) metrics.Options {
	t.Helper()
	cfg, err := metrics.ParseFlags([]string{"--nut.server=" + strings.Split(addr, ":")[0], "--nut.serverport=" + strings.Split(addr, ":")[1], "--upsmon.state="}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Opts
}

// rig is a upsd serving one UPS with the variables of a Back-UPS.
func rig(t testing.TB) *testrig.Rig {
	r := testrig.Start(t, testrig.Options{UPS: "myups"})
	r.Publisher.Update(func(u *driversock.Updater) {
		for _, kv := range [][2]string{
			{"battery.charge", "100"}, {"battery.charge.low", "10"}, {"battery.runtime", "1620"},
			{"battery.voltage", "13.5"}, {"battery.voltage.nominal", "12.0"}, {"battery.type", "PbAc"},
			{"device.mfr", "American Power Conversion"}, {"device.model", "Back-UPS ES 700G "},
			{"device.serial", "5B1234X56789"}, {"device.type", "ups"},
			{"input.voltage", "230.0"}, {"input.voltage.nominal", "230"}, {"input.sensitivity", "medium"},
			{"ups.beeper.status", "enabled"}, {"ups.load", "14"}, {"ups.status", "OL CHRG"},
			{"ups.test.result", "No test initiated"}, {"ups.timer.reboot", "-1"}, {"ups.firmware", "871.O2 .I"},
		} {
			u.Set(kv[0], kv[1])
		}
	})
	// upsd learns when the status last changed from its first push, a
	// moment after the driver connects: the scrapes below want it.
	for deadline := time.Now().Add(5 * time.Second); !strings.HasPrefix(testrig.Ask(t, r.Addr, "GET STATUSCHANGE myups"), "STATUSCHANGE "); {
		if time.Now().After(deadline) {
			t.Fatal("upsd never knew when the status changed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return r
}

func scrape(t testing.TB, h http.Handler, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (-update rewrites it):\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// stable drops what changes from run to run: timestamps, counts of
// connections, and the exporter's own process metrics.
func stable(s string) string {
	var out []string
	drop := regexp.MustCompile(`^(# (HELP|TYPE) )?(go_|process_|promhttp_)`)
	for _, l := range strings.SplitAfter(s, "\n") {
		if drop.MatchString(l) {
			continue
		}
		if strings.HasPrefix(l, "sysnut_ups_status_change_timestamp_seconds") || strings.HasPrefix(l, "sysnut_upsd_clients") {
			l = regexp.MustCompile(` [0-9.e+]+\n$`).ReplaceAllString(l, " X\n")
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

// TestNutExporterPath: /ups_metrics?ups=NAME is nut_exporter's scrape of
// that UPS (its defaults), followed by sysnut's figures for it.
func TestNutExporterPath(t *testing.T) {
	t.Parallel()
	r := rig(t)
	h := metrics.NewHandler(options(t, r.Addr), slog.New(slog.DiscardHandler))
	code, body := scrape(t, h, "/ups_metrics?ups=myups")
	if code != 200 {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	golden(t, "ups_metrics.golden", stable(body))
	promtool(t, body)
}

// promtool runs Prometheus's own linter over a scrape.
func promtool(t *testing.T, body string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatal("SYSNUT_REQUIRE_NUT=1 but promtool is missing (apt-get install prometheus)")
		}
		t.Log("promtool not installed (Debian package prometheus): scrape not linted")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestEveryNumber: with --nut.vars_enable empty every variable that
// nut_exporter can turn into a number is exported: integers and
// decimals, enabled/disabled, and strings matched by the on and off
// regexes; other strings are not.
func TestEveryNumber(t *testing.T) {
	t.Parallel()
	r := rig(t)
	r.Publisher.Update(func(u *driversock.Updater) {
		u.Set("outlet.1.status", "on")
		u.Set("outlet.2.status", "OFF")
		u.Set("outlet.1.switchable", "no")
		u.Set("ups.delay.shutdown", "020")
		u.Set("ups.realpower.nominal", "1.2.3")
		u.Set("ups.mfr.date", "2019/02/04")
	})
	o := options(t, r.Addr)
	o.Variables = nil
	h := metrics.NewHandler(o, slog.New(slog.DiscardHandler))
	code, body := scrape(t, h, "/ups_metrics")
	if code != 200 {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	golden(t, "every_number.golden", stable(body))
}

// TestQueryOverrides: nut_exporter's variables and statuses parameters
// replace the options for one scrape.
func TestQueryOverrides(t *testing.T) {
	t.Parallel()
	r := rig(t)
	h := metrics.NewHandler(options(t, r.Addr), slog.New(slog.DiscardHandler))
	_, body := scrape(t, h, "/ups_metrics?ups=myups&variables=battery.runtime,ups.status&statuses=OB")
	var got []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "network_ups_tools_") {
			got = append(got, l)
		}
	}
	want := []string{
		"network_ups_tools_battery_runtime 1620",
		`network_ups_tools_device_info{contact="",description="",location="",macaddr="",mfr="American Power Conversion",model="Back-UPS ES 700G",part="",serial="5B1234X56789",type="ups"} 1`,
		`network_ups_tools_ups_status{flag="CHRG"} 1`,
		`network_ups_tools_ups_status{flag="OB"} 0`,
		`network_ups_tools_ups_status{flag="OL"} 1`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if code, body := scrape(t, h, "/ups_metrics?ups=nosuch"); code != 500 || !strings.Contains(body, "Unknown UPS") {
		t.Errorf("an unknown UPS: HTTP %d %q", code, body)
	}
}

// TestEveryUPS: /metrics labels each series with its UPS, adds the
// exporter's own metrics and upsmon's state, and stays up (HTTP 200) when
// a driver or upsd is gone, saying so, where /ups_metrics fails as
// nut_exporter's scrape does.
func TestEveryUPS(t *testing.T) {
	t.Parallel()
	r := rig(t)
	o := options(t, r.Addr)
	o.StateFile = filepath.Join(t.TempDir(), "state.json")
	state := `{"ups":[{"system":"myups@localhost","power_value":1,"primary":true,"reachable":true,"status":"OB","on_battery_since":"2026-12-01T05:00:00.5Z"}],
		"shutdown_scheduled_at":"2026-12-01T05:02:00Z","shutting_down":false}`
	if err := os.WriteFile(o.StateFile, []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	h := metrics.NewHandler(o, slog.New(slog.DiscardHandler))
	code, body := scrape(t, h, "/metrics")
	if code != 200 {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	if !strings.Contains(body, "\ngo_goroutines ") || !strings.Contains(body, "\nprocess_resident_memory_bytes ") {
		t.Error("/metrics lacks the exporter's own process metrics")
	}
	golden(t, "metrics.golden", stable(body))
	promtool(t, body)

	r.Publisher.DataStale()
	_, body = scrape(t, h, "/metrics")
	for _, want := range []string{`sysnut_ups_data_stale{ups="myups"} 1`, "sysnut_upsd_up 1"} {
		if !strings.Contains(body, "\n"+want+"\n") {
			t.Errorf("stale data: no %q", want)
		}
	}
	if strings.Contains(body, "network_ups_tools_ups_load") {
		t.Error("stale data exported as current")
	}
	r.StopDriver()
	_, body = scrape(t, h, "/metrics")
	if !strings.Contains(body, "\n"+`sysnut_ups_driver_connected{ups="myups"} 0`+"\n") {
		t.Errorf("driver gone: %s", body)
	}
	if code, body := scrape(t, h, "/ups_metrics?ups=myups"); code != 200 || !strings.Contains(body, "\nsysnut_ups_driver_connected 0\n") {
		t.Errorf("one UPS without its driver: HTTP %d %s", code, body)
	}

	o.Server.Addr = closedPort(t)
	h = metrics.NewHandler(o, slog.New(slog.DiscardHandler))
	if code, body := scrape(t, h, "/metrics"); code != 200 || !strings.Contains(body, "\nsysnut_upsd_up 0\n") || !strings.Contains(body, "\nsysnut_monitor_up 1\n") {
		t.Errorf("upsd gone, /metrics: HTTP %d %s", code, body)
	}
	if code, _ := scrape(t, h, "/ups_metrics?ups=myups"); code != 500 {
		t.Errorf("upsd gone, /ups_metrics: HTTP %d, want nut_exporter's 500", code)
	}
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestFlags: nut_exporter's flags and environment variables, and the
// options sysnut refuses rather than ignore.
func TestFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{"NUT_EXPORTER_SERVER": "ups.example", "NUT_EXPORTER_VARIABLES": "ups.load", "NUT_EXPORTER_USERNAME": "mon", "NUT_EXPORTER_PASSWORD": "pw"}
	cfg, err := metrics.ParseFlags([]string{"--nut.serverport=3494", "--nut.statuses=OL, OB,", "--web.listen-address=127.0.0.1:1", "--web.listen-address=[::1]:2"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Opts
	if o.Server.Addr != "ups.example:3494" || o.Server.Username != "mon" || o.Server.Password != "pw" ||
		strings.Join(o.Variables, ",") != "ups.load" || strings.Join(o.Statuses, ",") != "OL,OB" ||
		strings.Join(cfg.Listen, " ") != "127.0.0.1:1 [::1]:2" || o.Namespace != "network_ups_tools" || cfg.UPSPath != "/ups_metrics" {
		t.Errorf("parsed %+v", cfg)
	}
	cfg, err = metrics.ParseFlags([]string{"--nut.vars_enable="}, func(k string) string { return env[k] })
	if err != nil || len(cfg.Opts.Variables) != 0 {
		t.Errorf("an empty --nut.vars_enable: %v %v", cfg.Opts.Variables, err)
	}
	for _, bad := range [][]string{{"--web.config.file=web.yml"}, {"--printMetrics"}, {"--nut.on_regex=("}, {"--log.level=loud"}, {"extra"}} {
		if _, err := metrics.ParseFlags(bad, func(string) string { return "" }); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := metrics.ParseFlags([]string{"--nut.username=mon"}, func(string) string { return "" }); err == nil {
		t.Error("a user without NUT_EXPORTER_PASSWORD accepted")
	}
}
