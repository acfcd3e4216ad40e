package upsmon_test

import (
	"os"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// TestCatalogCoversEveryNotification: the journal catalog has an entry,
// with a subject, for the MESSAGE_ID of every notification type.
func TestCatalogCoversEveryNotification(t *testing.T) {
	data, err := os.ReadFile("../../catalog/sysnut.catalog")
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]string{}
	for _, block := range strings.Split(string(data), "\n-- ")[1:] {
		id, rest, _ := strings.Cut(block, "\n")
		entries[id] = rest
	}
	for _, typ := range config.NotifyTypes {
		e, ok := entries[upsmon.MessageID(typ)]
		if !ok {
			t.Errorf("%s: no catalog entry for %s", typ, upsmon.MessageID(typ))
			continue
		}
		if !strings.HasPrefix(e, "Subject: ") || !strings.Contains(e, "\n\n") {
			t.Errorf("%s: entry lacks a subject or a body:\n%s", typ, e)
		}
	}
	if e := entries[events.TestResultID]; !strings.HasPrefix(e, "Subject: ") {
		t.Errorf("no catalog entry for the drivers' self-test result (%s)", events.TestResultID)
	}
	if len(entries) != len(config.NotifyTypes)+1 {
		t.Errorf("%d catalog entries for %d notification types and the self-test result", len(entries), len(config.NotifyTypes))
	}
}
