package testlog

import (
	"context"
	"log/slog"
	"strings"
	"sync"
)

// Records is a slog.Handler that keeps each record as a map of its
// attributes plus "msg", for tests that check what was logged. Attributes
// added with With are not kept.
type Records struct {
	mu   sync.Mutex
	recs []map[string]string
}

// Enabled implements slog.Handler: every level is kept.
func (r *Records) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (r *Records) Handle(_ context.Context, rec slog.Record) error {
	m := map[string]string{"msg": rec.Message}
	rec.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
	r.mu.Lock()
	r.recs = append(r.recs, m)
	r.mu.Unlock()
	return nil
}

// WithAttrs implements slog.Handler.
func (r *Records) WithAttrs([]slog.Attr) slog.Handler { return r }

// WithGroup implements slog.Handler.
func (r *Records) WithGroup(string) slog.Handler { return r }

// Where returns the records whose attribute key has value, in order
// ("msg" with a value ending in "*" matches messages by prefix).
func (r *Records) Where(key, value string) []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]string
	for _, m := range r.recs {
		v, ok := m[key]
		if prefix, isPrefix := strings.CutSuffix(value, "*"); ok && (v == value || isPrefix && strings.HasPrefix(v, prefix)) {
			out = append(out, m)
		}
	}
	return out
}
