package interop

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/metrics"
	"github.com/sysnut/sysnut/internal/nutref"
)

var recordNutExporter = flag.Bool("record-nut-exporter", false, "rewrite testdata/metrics/nut_exporter-*.prom from a live nut_exporter")

// metricsQueries are the scrapes compared, named as their recordings.
var metricsQueries = []struct{ name, query string }{
	{"cs500", "ups=cs500"},
	{"bk650", "ups=bk650"},
	{"test", "ups=test"},
	{"cs500-defaults", "ups=cs500&variables=" + url.QueryEscape(metrics.DefaultVariables)},
	{"bk650-statuses", "ups=bk650&statuses=OL,OB,LB&variables=ups.status,battery.charge"},
}

// TestMetricsMatchNutExporter: ups-metrics' /ups_metrics answers what
// nut_exporter answers for the same UPS, name for name, help for help,
// label for label and value for value, reading NUT's upsd or ours (both
// serve the same NUT dummy-ups drivers here). nut_exporter's answers are
// recorded (testdata/metrics/SOURCES); when a nut_exporter binary is on
// PATH it is also run live and compared.
func TestMetricsMatchNutExporter(t *testing.T) {
	bin := requireNUT(t)
	files := map[string]string{}
	for _, f := range []string{"ups.conf", "cs500.dev", "bk650.dev", "test.dev"} {
		b, err := os.ReadFile(filepath.Join("testdata/metrics", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(b)
	}
	files["upsd.users"] = "[mon]\n\tpassword = pass\n\tupsmon primary\n"
	site, port := newSite(t, bin, files, "")
	ctx := context.Background()
	names := []string{"cs500", "bk650", "test"}
	for _, u := range names {
		if err := site.StartDummy(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	nutAddr := fmt.Sprintf("127.0.0.1:%d", port)
	ourAddr := ourUpsd(t, site)
	for _, addr := range []string{nutAddr, ourAddr} {
		for _, u := range names {
			waitReady(t, addr, u)
		}
	}

	servers := map[string]string{"NUT's upsd": nutAddr, "sysnut's upsd": ourAddr}
	if exe, err := exec.LookPath("nut_exporter"); err == nil {
		for _, q := range metricsQueries {
			// A fresh nut_exporter for each query: it keeps the options of
			// the first scrape of a UPS for every later scrape of it, so
			// that its variables and statuses parameters work only once.
			live, stop := startNutExporter(t, exe, nutAddr)
			got := nutFamilies(t, httpGet(t, live+"/ups_metrics?"+q.query))
			stop()
			path := filepath.Join("testdata/metrics", "nut_exporter-"+q.name+".prom")
			if *recordNutExporter {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := readFile(t, path); got != want {
				t.Errorf("live nut_exporter, %s: differs from its recording\n%s", q.query, lineDiff(want, got))
			}
		}
		live, stop := startNutExporter(t, exe, nutAddr)
		if code, _ := httpStatus(t, live+"/ups_metrics"); code != 500 {
			t.Errorf("live nut_exporter without ups= on a site of 3 UPS: HTTP %d", code)
		}
		stop()
	} else if *recordNutExporter {
		t.Fatal("-record-nut-exporter needs nut_exporter on PATH")
	} else {
		t.Log("nut_exporter not on PATH: comparing with its recorded answers only")
	}

	for server, addr := range servers {
		host, port, _ := net.SplitHostPort(addr)
		cfg, err := metrics.ParseFlags([]string{"--nut.server=" + host, "--nut.serverport=" + port, "--nut.vars_enable=", "--upsmon.state="}, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		h := metrics.NewHandler(cfg.Opts, slog.New(slog.DiscardHandler))
		srv := httptest.NewServer(h)
		defer srv.Close()
		for _, q := range metricsQueries {
			got := nutFamilies(t, httpGet(t, srv.URL+"/ups_metrics?"+q.query))
			want := betterThanNutExporter.Replace(readFile(t, filepath.Join("testdata/metrics", "nut_exporter-"+q.name+".prom")))
			if got != want {
				t.Errorf("reading %s, %s: not nut_exporter's answer:\n%s", server, q.query, lineDiff(want, got))
			}
		}
		if code, body := httpStatus(t, srv.URL+"/ups_metrics"); code != 500 || !strings.Contains(body, "ups=<name>") {
			t.Errorf("reading %s without ups= on a site of 3 UPS: HTTP %d %q, want nut_exporter's 500", server, code, body)
		}
		// Every UPS in one scrape: the same series, each with its ups label.
		all := httpGet(t, srv.URL+"/metrics")
		for _, q := range metricsQueries[:3] {
			for _, line := range strings.Split(readFile(t, filepath.Join("testdata/metrics", "nut_exporter-"+q.name+".prom")), "\n") {
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				if labelled := withLabel(betterThanNutExporter.Replace(line), "ups", q.name); !strings.Contains(all, "\n"+labelled+"\n") {
					t.Errorf("reading %s, /metrics lacks %s", server, labelled)
				}
			}
		}
	}
}

// betterThanNutExporter are the lines where ups-metrics does not answer
// as nut_exporter does, each replaced by what it answers instead. Its
// client library takes a value as the bytes between the first two double
// quotes of upsd's line, escapes and all: a value with a backslash keeps
// upsd's escaping (doubled backslashes) and one with an escaped quote is
// cut at it. ups-metrics labels device_info with the value upsc prints.
var betterThanNutExporter = strings.NewReplacer(
	`model="Smart \\\\\\",part="",serial="back\\\\\\\\slash \\\\\\# hash"`,
	`model="Smart \\\"UPS\\\" 1500",part="",serial="back\\\\slash \\# hash"`,
)

// startNutExporter runs nut_exporter reading upsd at addr, with every
// number exported, and returns its base URL and how to stop it.
func startNutExporter(t *testing.T, exe, addr string) (string, func()) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	listen, err := nutref.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, exe, "--nut.server="+host, "--nut.serverport="+port, "--nut.vars_enable=",
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", listen))
	cmd.Stderr = testWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() { cancel(); _ = cmd.Wait() }
	t.Cleanup(stop)
	base := fmt.Sprintf("http://127.0.0.1:%d", listen)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", base[len("http://"):]); err == nil {
			c.Close()
			return base, stop
		}
		if time.Now().After(deadline) {
			t.Fatal("nut_exporter never listened")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func httpStatus(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func httpGet(t *testing.T, u string) string {
	t.Helper()
	code, body := httpStatus(t, u)
	if code != 200 {
		t.Fatalf("GET %s: HTTP %d %s", u, code, body)
	}
	return body
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// nutFamilies keeps the network_ups_tools_* families of a scrape.
func nutFamilies(t *testing.T, body string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.SplitAfter(body, "\n") {
		name := strings.TrimPrefix(strings.TrimPrefix(l, "# HELP "), "# TYPE ")
		if strings.HasPrefix(name, "network_ups_tools_") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// withLabel adds label k="v" to a sample line, as the last label.
func withLabel(line, k, v string) string {
	name, rest, _ := strings.Cut(line, " ")
	lbl := fmt.Sprintf("%s=%q", k, v)
	if i := strings.IndexByte(name, '{'); i >= 0 {
		name, rest = line[:strings.LastIndexByte(line, '}')]+","+lbl+"}", line[strings.LastIndexByte(line, '}')+2:]
		return name + " " + rest
	}
	return name + "{" + lbl + "} " + rest
}
