package metrics

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sysnut/sysnut/internal/snapshot"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// Handler serves nut_exporter's /ups_metrics (one UPS, its labels) and
// sysnut's /metrics (every UPS, each series with a ups label, sysnut's
// figures and the exporter's own process metrics).
type Handler struct {
	Opts Options
	Log  *slog.Logger
	// UPSPath is nut_exporter's --web.telemetry-path (/ups_metrics);
	// AllPath its --web.exporter-telemetry-path (/metrics).
	UPSPath, AllPath string
	// Timeout bounds a scrape when Prometheus does not say its own.
	Timeout time.Duration

	process *prometheus.Registry
}

// NewHandler builds a Handler with nut_exporter's paths.
func NewHandler(o Options, log *slog.Logger) *Handler {
	p := prometheus.NewRegistry()
	p.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector(), collectors.NewBuildInfoCollector())
	return &Handler{Opts: o, Log: log, UPSPath: "/ups_metrics", AllPath: "/metrics", Timeout: 10 * time.Second, process: p}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case h.UPSPath:
		h.scrape(w, r, false)
	case h.AllPath:
		h.scrape(w, r, true)
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!DOCTYPE html><html lang=\"en\"><head><title>ups-metrics</title></head><body><h1>ups-metrics</h1><ul><li><a href=\"%s\">%s</a>: every UPS</li><li><a href=\"%s\">%s</a>?ups=NAME: one UPS, as nut_exporter</li></ul></body></html>\n",
			html.EscapeString(h.AllPath), html.EscapeString(h.AllPath), html.EscapeString(h.UPSPath), html.EscapeString(h.UPSPath))
	default:
		http.NotFound(w, r)
	}
}

// options applies nut_exporter's query parameters to a copy of h.Opts.
func (h *Handler) options(q map[string][]string) Options {
	o := h.Opts
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if s := get("server"); s != "" {
		_, port, err := net.SplitHostPort(o.Server.Addr)
		if err != nil {
			port = "3493"
		}
		o.Server.Addr = net.JoinHostPort(s, port)
	}
	// nut_exporter means to honour serverport but never does (it applies
	// the value only when it is not a number); so it is ignored here too.
	if s := get("username"); s != "" {
		o.Server.Username = s
	}
	if s := get("password"); s != "" {
		o.Server.Password = s
	}
	if s := get("variables"); s != "" {
		o.Variables = strings.Split(s, ",")
	}
	if s := get("statuses"); s != "" {
		o.Statuses = strings.Split(s, ",")
	}
	return o
}

func (h *Handler) scrape(w http.ResponseWriter, r *http.Request, all bool) {
	timeout := h.Timeout
	if s := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
			timeout = time.Duration(f * float64(time.Second))
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	q := r.URL.Query()
	c := &scrapeCollector{ctx: ctx, opts: h.options(q), all: all, log: h.Log}
	if !all {
		c.only = q.Get("ups")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	var g prometheus.Gatherer = reg
	if all {
		g = prometheus.Gatherers{h.process, reg}
	}
	promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorLog: errorLog{h.Log}}).ServeHTTP(w, r)
}

// errorLog hands promhttp's errors to slog.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) { l.log.Warn(strings.TrimSpace(fmt.Sprintln(v...))) }

// scrapeCollector reads upsd once, when gathered.
type scrapeCollector struct {
	ctx  context.Context
	opts Options
	all  bool
	only string
	log  *slog.Logger
}

// Describe sends nothing: the metrics depend on what upsd serves, so the
// collector is unchecked.
func (c *scrapeCollector) Describe(chan<- *prometheus.Desc) {}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	fail := func(help string, err error) {
		ch <- prometheus.NewInvalidMetric(prometheus.NewDesc(prometheus.BuildFQName(c.opts.Namespace, "", "error"), help, nil, nil), err)
	}
	o := &c.opts
	reading, err := snapshot.Read(c.ctx, o.Server, c.only, o.exported)
	e := &emitter{ch: ch, help: map[string]string{}, descs: map[string]*prometheus.Desc{}}
	if c.all {
		e.gauge("sysnut_upsd_up", "1 if upsd answered this scrape.", b2f(err == nil))
		c.monitorState(e)
	}
	if err != nil {
		c.log.Warn("cannot read upsd", "server", o.Server.Addr, "err", err)
		if !c.all {
			fail("Failure gathering UPS variables", err)
		}
		return
	}
	if !c.all && c.only == "" && len(reading.UPS) > 1 {
		names := make([]string, len(reading.UPS))
		for i, u := range reading.UPS {
			names[i] = u.Name
		}
		fail("Multiple UPS devices were found from NUT. Please add a ups=<name> query string",
			errors.New("more than one UPS (add ?ups=NAME; one of "+strings.Join(names, ", ")+"), or scrape every UPS at once"))
		return
	}
	if reading.HasClients {
		e.gauge("sysnut_upsd_clients", "Connections upsd holds (monitors, watchers, idle clients).", float64(reading.Clients))
	}
	for i := range reading.UPS {
		u := &reading.UPS[i]
		if c.all {
			e.ups = u.Name
		}
		o.nutExporter(e, u)
		sysnutUPS(e, u)
	}
}

// monitorState emits upsmon's state when it publishes one.
func (c *scrapeCollector) monitorState(e *emitter) {
	if c.opts.StateFile == "" {
		return
	}
	s, err := upsmon.ReadState(c.opts.StateFile)
	e.gauge("sysnut_monitor_up", "1 if upsmon's state file could be read (upsmon runs).", b2f(err == nil))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.log.Warn("cannot read upsmon's state", "err", err)
		}
		return
	}
	monitor(e, &s)
}
