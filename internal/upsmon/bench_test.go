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

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsmon"
)

// signalPower reports each PowerOff on a channel.
type signalPower chan struct{}

func (p signalPower) PowerOff(context.Context) error { p <- struct{}{}; return nil }

// BenchmarkPushedDecision times the path a power failure takes through
// sysnut: the driver publishes OB LB, upsd pushes it (WATCH), the primary
// monitor polls, decides, sets FSD and asks for the power-off (FINALDELAY
// 0). POLLFREQ is an hour, so only the push can start it. Each iteration
// has a fresh upsd (FSD stays set on the old one) and a fresh monitor,
// both ready before the clock runs. nutbench -latency compares the same
// path with NUT's processes.
func BenchmarkPushedDecision(b *testing.B) {
	rig := testrig.Start(b, testrig.Options{})
	host, port, _ := net.SplitHostPort(rig.Addr)
	c, err := config.ParseUpsmonConf("upsmon.conf", fmt.Appendf(nil, "MONITOR ups@%s:%s 1 mon pass primary\nPOLLFREQ 3600\nPOLLFREQALERT 3600\nFINALDELAY 0\n", host, port))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		rig.StopServer()
		rig.SetStatus("OL")
		rig.StartServer()
		var logs testlog.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		power := make(signalPower, 1)
		r := upsmon.NewRunner(c, &upsmon.Notifier{Conf: c, Log: log}, power, log, filepath.Join(b.TempDir(), "killpower"))
		r.BootID = func() (string, error) { return "this-boot", nil }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		for !strings.Contains(logs.String(), "upsd pushes status changes") {
			time.Sleep(time.Millisecond)
		}
		b.StartTimer()
		rig.SetStatus("OB LB")
		<-power
		b.StopTimer()
		cancel()
		<-done
		b.StartTimer()
	}
}
