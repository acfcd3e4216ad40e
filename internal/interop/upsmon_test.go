package interop

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// TestUpsmonAgainstNUTUpsd: our monitor, logged in as primary to NUT's
// upsd, sees NUT's dummy-ups go on battery and low, sets FSD on NUT's
// upsd (NUT's upsc shows it), sets the killpower flag and powers off. NUT's
// upsd refuses sysnut's WATCH, and the monitor polls.
func TestUpsmonAgainstNUTUpsd(t *testing.T) {
	bin := requireNUT(t)
	site, port := newSite(t, bin, map[string]string{
		"ups.conf":   "[ups]\n driver = dummy-ups\n port = ups.dev\n",
		"upsd.users": "[mon]\n password = pass\n upsmon primary\n",
		"ups.dev":    "ups.status: OL\nbattery.charge: 100\n",
	}, "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := site.StartDummy(ctx, "ups"); err != nil {
		t.Fatal(err)
	}
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitReady(t, addr, "ups")

	c, err := config.ParseUpsmonConf("upsmon.conf", fmt.Appendf(nil,
		"MONITOR ups@127.0.0.1:%d 1 mon pass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\nFINALDELAY 0\nHOSTSYNC 5\n", port))
	if err != nil {
		t.Fatal(err)
	}
	var logs testlog.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	power := &testrig.Power{}
	flag := filepath.Join(t.TempDir(), "killpower")
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, power, log, flag)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	time.Sleep(1500 * time.Millisecond)
	// NUT's dummy-ups re-reads the file when its mtime changes.
	dev := filepath.Join(site.ConfDir, "ups.dev")
	if err := os.WriteFile(dev, []byte("ups.status: OB LB\nbattery.charge: 8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(dev, later, later)

	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatalf("no shutdown\n%s", logs.String())
	}
	boot, err := upsmon.BootID()
	if err != nil {
		t.Fatal(err)
	}
	if power.Calls() != 1 || !upsmon.FlagSet(flag, boot) {
		t.Errorf("power-offs %d, flag set %v\n%s", power.Calls(), upsmon.FlagSet(flag, boot), logs.String())
	}
	// NUT's upsd knows no WATCH: the monitor said so once and polled.
	for _, want := range []string{"notifytype=ONBATT", "notifytype=LOWBATT", "notifytype=SHUTDOWN", "upsd does not push status changes"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s\n%s", want, logs.String())
		}
	}
	if got := runNUT(t, &env{site: site}, []string{"upsc", "ups@" + addr, "ups.status"}); got.stdout != "FSD OB LB\n" {
		t.Errorf("NUT's upsc after our FSD: %v", got)
	}
}
