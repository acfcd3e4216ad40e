package logging_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/coreos/go-systemd/v22/journal"

	"github.com/sysnut/sysnut/internal/logging"
)

type entry struct {
	msg  string
	pri  journal.Priority
	vars map[string]string
}

// TestJournalEntries: levels map to syslog priorities, attributes become
// upper-case fields (MESSAGE_ID included), groups prefix their fields, and
// MESSAGE is the sentence alone: the UPS in front and the error behind
// unless it already names them, no field repeated as key=value.
func TestJournalEntries(t *testing.T) {
	var got []entry
	h := logging.NewJournalHandler("upsd", slog.LevelDebug, func(msg string, p journal.Priority, v map[string]string) error {
		got = append(got, entry{msg, p, v})
		return nil
	})
	log := slog.New(h).With("ups", "myups")
	log.Debug("d")
	log.Info("client logged in", "client", "192.0.2.1", "message_id", "0123456789abcdef0123456789abcdef")
	log.Warn("w", slog.Group("tls", "version", "TLS 1.3"))
	log.Error("e", "3rd-party key", "x")
	log.Error("poll failed", "err", "connection refused")
	log.Warn("UPS myups on battery", "notifytype", "ONBATT")

	want := []struct {
		pri    journal.Priority
		msg    string
		fields map[string]string
	}{
		{journal.PriDebug, "UPS myups: d", map[string]string{"UPS": "myups"}},
		{journal.PriInfo, "UPS myups: client logged in",
			map[string]string{"CLIENT": "192.0.2.1", "MESSAGE_ID": "0123456789abcdef0123456789abcdef"}},
		{journal.PriWarning, "UPS myups: w", map[string]string{"TLS_VERSION": "TLS 1.3"}},
		{journal.PriErr, "UPS myups: e", map[string]string{"RD_PARTY_KEY": "x"}},
		{journal.PriErr, "UPS myups: poll failed: connection refused", map[string]string{"ERR": "connection refused"}},
		{journal.PriWarning, "UPS myups on battery", map[string]string{"NOTIFYTYPE": "ONBATT"}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.pri != w.pri || g.msg != w.msg || g.vars["SYSLOG_IDENTIFIER"] != "upsd" || g.vars["UPS"] != "myups" {
			t.Errorf("entry %d: %+v, want priority %d and %q", i, g, w.pri, w.msg)
		}
		for k, v := range w.fields {
			if g.vars[k] != v {
				t.Errorf("entry %d: %s = %q, want %q", i, k, g.vars[k], v)
			}
		}
	}

	quiet := logging.NewJournalHandler("upsd", slog.LevelInfo, func(string, journal.Priority, map[string]string) error {
		t.Error("debug entry sent at level info")
		return nil
	})
	slog.New(quiet).Debug("hidden")
}

// TestLineHandler: on a terminal, one plain line a record: the program,
// the level when it is not info, the sentence, then the fields.
func TestLineHandler(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(logging.NewLineHandler("upsd", &b, slog.LevelDebug)).With("ups", "myups")
	log.Warn("poll failed", "err", "connection refused")
	log.Info("started")
	log.Debug("two\nlines", "k", "")
	want := "upsd: warning: poll failed ups=myups err=\"connection refused\"\n" +
		"upsd: started ups=myups\n" +
		"upsd: debug: two lines ups=myups k=\"\"\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
