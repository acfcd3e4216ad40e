package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/events"
)

//go:embed web
var web embed.FS

// Handler serves the page, its assets and its data.
type Handler struct {
	Sampler *Sampler
	Store   *Store
	Log     *slog.Logger
	// Events reads the outage history (events.Journal); nil: none shown.
	Events func(ctx context.Context, q events.Query) ([]events.Event, error)

	once sync.Once
	mux  *http.ServeMux
}

// maxPoints bounds the points of one chart.
const maxPoints = 720

// ServeHTTP implements http.Handler. Everything is read-only: only GET
// and HEAD are served.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "read-only", http.StatusMethodNotAllowed)
		return
	}
	h.once.Do(func() {
		assets, _ := fs.Sub(web, "web")
		m := http.NewServeMux()
		m.Handle("GET /", http.FileServerFS(assets))
		m.HandleFunc("GET /api/state", h.state)
		m.HandleFunc("GET /api/history", h.history)
		m.HandleFunc("GET /api/events", h.events)
		m.HandleFunc("GET /api/stream", h.stream)
		h.mux = m
	})
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.mux.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

// firstSample bounds the wait for the sampler's first read of upsd, when
// a request arrives as the socket starts the service.
const firstSample = 5 * time.Second

func (h *Handler) current(r *http.Request) State {
	ctx, cancel := context.WithTimeout(r.Context(), firstSample)
	defer cancel()
	return h.Sampler.Current(ctx)
}

func (h *Handler) state(w http.ResponseWriter, r *http.Request) { writeJSON(w, h.current(r)) }

// historyReply is a chart's data: each point is [unix seconds, the Fields
// in order (null when absent), flags].
type historyReply struct {
	UPS    string   `json:"ups"`
	Step   int      `json:"step"` // seconds between points
	Fields []string `json:"fields"`
	Flags  []string `json:"flags"`
	Points [][]any  `json:"points"`
	From   int64    `json:"from"`
	To     int64    `json:"to"`
}

// history answers /api/history?ups=NAME&range=SECONDS, at most maxPoints
// points (averages of neighbours when the range holds more).
func (h *Handler) history(w http.ResponseWriter, r *http.Request) {
	ups := r.URL.Query().Get("ups")
	secs, err := strconv.Atoi(r.URL.Query().Get("range"))
	if ups == "" || err != nil || secs <= 0 || secs > 400*86400 {
		http.Error(w, "want ups=NAME and range=SECONDS (at most 400 days)", http.StatusBadRequest)
		return
	}
	to := time.Now()
	from := to.Add(-time.Duration(secs) * time.Second)
	smp, step, err := h.Store.Range(ups, from, to)
	if err != nil {
		h.Log.Warn("cannot read history", "ups", ups, "err", err)
		http.Error(w, "cannot read the history", http.StatusInternalServerError)
		return
	}
	group := max(1, (len(smp)+maxPoints-1)/maxPoints)
	reply := historyReply{UPS: ups, Step: int(step/time.Second) * group, Fields: Fields, Flags: append(append([]string{}, Flags...), "stale"),
		Points: [][]any{}, From: from.Unix(), To: to.Unix()}
	for i := 0; i < len(smp); i += group {
		end := min(i+group, len(smp))
		p := make([]any, 0, 2+len(Fields))
		p = append(p, smp[i].Time.Unix())
		var flags uint32
		for k := range Fields {
			sum, n := 0.0, 0
			for _, s := range smp[i:end] {
				if v := float64(s.Values[k]); !math.IsNaN(v) {
					sum += v
					n++
				}
			}
			if n == 0 {
				p = append(p, nil)
			} else {
				p = append(p, math.Round(sum/float64(n)*100)/100)
			}
		}
		for _, s := range smp[i:end] {
			flags |= s.Flags
		}
		// The stale bit moves next to the status bits, for the page.
		if flags&FlagStale != 0 {
			flags = flags&^FlagStale | 1<<len(Flags)
		}
		reply.Points = append(reply.Points, append(p, flags))
	}
	writeJSON(w, reply)
}

// events answers /api/events?range=SECONDS with the outage history.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	type reply struct {
		Events []events.Event `json:"events"`
		Error  string         `json:"error,omitempty"`
	}
	if h.Events == nil {
		writeJSON(w, reply{Events: []events.Event{}, Error: "the outage history is not available"})
		return
	}
	secs, err := strconv.Atoi(r.URL.Query().Get("range"))
	if err != nil || secs <= 0 {
		secs = 30 * 86400
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	evs, err := h.Events(ctx, events.Query{Since: time.Now().Add(-time.Duration(secs) * time.Second)})
	if err != nil {
		h.Log.Warn("cannot read the outage history", "err", err)
		writeJSON(w, reply{Events: []events.Event{}, Error: "cannot read the journal"})
		return
	}
	if evs == nil {
		evs = []events.Event{}
	}
	writeJSON(w, reply{Events: evs})
}

// stream sends the state as server-sent events: at once, then after
// each sample, with a comment every 30 s so that proxies keep it open.
func (h *Handler) stream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch, stop := h.Sampler.Subscribe()
	defer stop()
	send := func() bool {
		b, _ := json.Marshal(h.current(r))
		if _, err := w.Write(append(append([]byte("event: state\ndata: "), b...), "\n\n"...)); err != nil {
			return false
		}
		fl.Flush()
		return true
	}
	if !send() {
		return
	}
	keep := time.NewTicker(30 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ch:
			if !send() {
				return
			}
		case <-keep.C:
			if _, err := w.Write([]byte(": keepalive\n\n")); err != nil {
				return
			}
			fl.Flush()
		}
	}
}
