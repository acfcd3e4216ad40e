package upsmon_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// TestOnlineCarriesLowestCharge: the ONLINE that ends a power failure
// says the lowest battery.charge read during it, for the outage history,
// under the MESSAGE_ID the history reads.
func TestOnlineCarriesLowestCharge(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	host, port, _ := net.SplitHostPort(rig.Addr)
	c := conf(t, fmt.Sprintf("MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 1\nPOLLFREQALERT 1\n", host, port))
	rec := &testlog.Records{}
	log := slog.New(rec)
	r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, &testrig.Power{}, log, filepath.Join(t.TempDir(), "kp"))
	polled := make(chan struct{}, 1)
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		select {
		case polled <- struct{}{}:
		default:
		}
		return upsmon.Sleep(ctx, 10*time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	charge := func(v string) {
		rig.Publisher.Update(func(u *driversock.Updater) { u.Set("battery.charge", v) })
		// two polls: one may have begun before the change
		<-polled
		<-polled
	}
	rig.SetStatus("OB DISCHRG")
	for _, v := range []string{"90", "61.5", "70"} {
		charge(v)
	}
	rig.SetStatus("OL CHRG")
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Where("notifytype", "ONLINE")) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	on := rec.Where("notifytype", "ONLINE")
	if len(on) != 1 || on[0][strings.ToLower(events.FieldLowestCharge)] != "61.5" || on[0]["message_id"] != events.NotifyID("ONLINE") {
		t.Fatalf("ONLINE entries: %v", on)
	}
	// The next power failure starts from nothing.
	charge("100")
	rig.SetStatus("OB")
	charge("95")
	rig.SetStatus("OL")
	for len(rec.Where("notifytype", "ONLINE")) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if on := rec.Where("notifytype", "ONLINE"); len(on) != 2 || on[1][strings.ToLower(events.FieldLowestCharge)] != "95" {
		t.Errorf("second outage: %v", on)
	}
}
