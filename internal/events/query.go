package events

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Query selects events.
type Query struct {
	UPS          string    // a UPS's name or ups@host; empty: all
	Since, Until time.Time // zero: unbounded
}

// Journal reads the history from the system journal with journalctl
// (matching only our MESSAGE_IDs, which the journal indexes). The whole
// history is read and then filtered, so that an outage that began before
// Since, or ended after Until, is still whole.
func Journal(ctx context.Context, journalctl string, q Query) ([]Event, error) {
	if journalctl == "" {
		journalctl = "journalctl"
	}
	args := []string{"--output=json", "--no-pager", "--quiet", "--all"}
	for _, id := range MessageIDs() {
		args = append(args, "MESSAGE_ID="+id)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, journalctl, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("journalctl: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	entries, err := ParseJSON(&stdout)
	if err != nil {
		return nil, err
	}
	return Filter(Build(entries), q.UPS, q.Since, q.Until), nil
}
