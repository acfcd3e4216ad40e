// Package logging builds the slog logger every sysnut program uses: native
// journald entries with structured fields (UPS=, CLIENT=, ...) when stderr is
// connected to the journal, plain text on stderr otherwise.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/coreos/go-systemd/v22/journal"
	"golang.org/x/sys/unix"
)

// New returns a logger for the program called ident. Under systemd (stderr
// is the journal stream) records go to journald directly, one entry each,
// so nothing is logged twice; elsewhere they are text on w.
// On a terminal they are plain lines for a person (LineHandler).
func New(ident string, w io.Writer, level slog.Leveler) *slog.Logger {
	if ok, _ := journal.StderrIsJournalStream(); ok && journal.Enabled() {
		return slog.New(&JournalHandler{ident: ident, level: level, send: journal.Send})
	}
	if f, ok := w.(*os.File); ok {
		if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			return slog.New(NewLineHandler(ident, w, level))
		}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// LineHandler writes one plain line a record, for a person at a
// terminal: "upsd: warning: poll failed ups=myups err=...", without the
// timestamps and quoting meant for machines.
type LineHandler struct {
	ident string
	level slog.Leveler
	attrs []slog.Attr
	group string
	mu    *sync.Mutex
	w     io.Writer
}

// NewLineHandler returns a LineHandler writing to w.
func NewLineHandler(ident string, w io.Writer, level slog.Leveler) *LineHandler {
	return &LineHandler{ident: ident, level: level, mu: &sync.Mutex{}, w: w}
}

// Enabled implements slog.Handler.
func (h *LineHandler) Enabled(_ context.Context, l slog.Level) bool { return enabled(h.level, l) }

// Handle implements slog.Handler.
func (h *LineHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(h.ident)
	b.WriteString(": ")
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	case r.Level < slog.LevelInfo:
		b.WriteString("debug: ")
	}
	b.WriteString(strings.ReplaceAll(r.Message, "\n", " "))
	add := func(a slog.Attr) bool {
		v := strings.ReplaceAll(a.Value.String(), "\n", " ")
		if strings.ContainsAny(v, " \t\"") || v == "" {
			v = strconv.Quote(v)
		}
		fmt.Fprintf(&b, " %s%s=%s", h.group, a.Key, v)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

// WithAttrs implements slog.Handler.
func (h *LineHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &n
}

// WithGroup implements slog.Handler.
func (h *LineHandler) WithGroup(name string) slog.Handler {
	n := *h
	n.group = h.group + name + "."
	return &n
}

// Stderr is New on os.Stderr at Info level.
func Stderr(ident string) *slog.Logger { return New(ident, os.Stderr, slog.LevelInfo) }

// JournalHandler is a slog.Handler writing native journal entries. Each
// attribute becomes a field named by upper-casing its key ("ups" -> UPS).
type JournalHandler struct {
	ident  string
	level  slog.Leveler
	attrs  []slog.Attr
	group  string
	send   func(msg string, p journal.Priority, vars map[string]string) error
	mu     sync.Mutex
	failed bool
}

// NewJournalHandler returns a handler that hands entries to send, which is
// journal.Send in production and a recorder in tests.
func NewJournalHandler(ident string, level slog.Leveler, send func(string, journal.Priority, map[string]string) error) *JournalHandler {
	return &JournalHandler{ident: ident, level: level, send: send}
}

// Enabled implements slog.Handler.
func (h *JournalHandler) Enabled(_ context.Context, l slog.Level) bool { return enabled(h.level, l) }

// enabled reports whether l reaches min (Info when min is nil).
func enabled(min slog.Leveler, l slog.Level) bool {
	if min == nil {
		return l >= slog.LevelInfo
	}
	return l >= min.Level()
}

// Handle implements slog.Handler.
func (h *JournalHandler) Handle(_ context.Context, r slog.Record) error {
	vars := map[string]string{"SYSLOG_IDENTIFIER": h.ident}
	for _, a := range h.attrs {
		addField(vars, h.group, a)
	}
	r.Attrs(func(a slog.Attr) bool {
		addField(vars, h.group, a)
		return true
	})
	text := Sentence(r.Message, vars)
	if err := h.send(text, priority(r.Level), vars); err != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.failed {
			h.failed = true
			fmt.Fprintf(os.Stderr, "%s: journal: %v\n", h.ident, err)
		}
		fmt.Fprintln(os.Stderr, text)
	}
	return nil
}

// Sentence is the MESSAGE of an entry: the message as a sentence, with
// the UPS it concerns in front ("UPS myups: ...") and the error behind
// (": connection refused") unless the message already says them. Every
// other attribute is a field only (journalctl -o verbose shows them), so
// MESSAGE reads like systemd's own and nothing is said twice.
func Sentence(msg string, fields map[string]string) string {
	if ups := fields["UPS"]; ups != "" && !strings.Contains(msg, ups) {
		msg = "UPS " + ups + ": " + msg
	}
	if err := fields["ERR"]; err != "" && !strings.Contains(msg, err) {
		msg += ": " + err
	}
	return msg
}

// WithAttrs implements slog.Handler.
func (h *JournalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := &JournalHandler{ident: h.ident, level: h.level, group: h.group, send: h.send}
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return n
}

// WithGroup implements slog.Handler.
func (h *JournalHandler) WithGroup(name string) slog.Handler {
	n := &JournalHandler{ident: h.ident, level: h.level, attrs: h.attrs, send: h.send}
	n.group = h.group + name + "_"
	return n
}

func addField(vars map[string]string, prefix string, a slog.Attr) {
	if a.Value.Kind() == slog.KindGroup {
		for _, g := range a.Value.Group() {
			addField(vars, prefix+a.Key+"_", g)
		}
		return
	}
	vars[FieldName(prefix+a.Key)] = a.Value.String()
}

// FieldName turns an attribute key into a valid journal field name:
// upper case, [A-Z0-9_], not starting with '_' or a digit.
func FieldName(key string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(key) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), "_0123456789")
	if s == "" {
		s = "FIELD"
	}
	return s
}

func priority(l slog.Level) journal.Priority {
	switch {
	case l >= slog.LevelError:
		return journal.PriErr
	case l >= slog.LevelWarn:
		return journal.PriWarning
	case l >= slog.LevelInfo:
		return journal.PriInfo
	}
	return journal.PriDebug
}
