package driversock_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/state"
	"github.com/sysnut/sysnut/internal/testlog"
)

// heapMB is the live heap after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// hostileDriver serves one upsd connection on path: a short good dump,
// then attack, written in 64 KiB pieces, then a last line.
func hostileDriver(t *testing.T, path string, attack func(w io.Writer), last string) {
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		go io.Copy(io.Discard, c) // DUMPALL, PINGs
		fmt.Fprint(c, "SETINFO ups.status \"OL\"\nSETINFO battery.charge \"100\"\nDATAOK\nDUMPDONE\n")
		attack(c)
		fmt.Fprint(c, last)
		<-t.Context().Done()
	}()
}

// repeat writes n bytes of s's pattern in 64 KiB writes.
func repeat(w io.Writer, s string, n int) {
	chunk := []byte(strings.Repeat(s, (64<<10)/len(s)))
	for sent := 0; sent < n; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// TestHostileDriver: what a driver sends is capped like NUT's upsd caps it
// (32 words of 512 characters, values served up to 255 characters), lines
// are bounded even inside an unterminated quote, the excess is logged once,
// and upsd's memory stays flat (NUT 2.8.0 stays at ~5 MB under the same
// attacks; sysnut kept 64 MB values and reached 278-541 MB).
func TestHostileDriver(t *testing.T) {
	const size = 16 << 20
	for _, tt := range []struct {
		name   string
		attack func(io.Writer)
		last   string
		status string // ups.status afterwards
	}{
		{"one huge value", func(w io.Writer) {
			io.WriteString(w, "SETINFO ups.test \"")
			repeat(w, "x", size)
			io.WriteString(w, "\"\n")
		}, "SETINFO ups.status \"OB\"\n", "OB"},
		{"words without a newline", func(w io.Writer) { repeat(w, "w ", size) }, "\nSETINFO ups.status \"OB\"\n", "OB"},
		{"unterminated quote", func(w io.Writer) {
			io.WriteString(w, "SETINFO ups.test \"")
			repeat(w, strings.Repeat("q", 4095)+"\n", size)
		}, "\nSETINFO ups.status \"OB\"\n", "OB"},
		{"many variables", func(w io.Writer) {
			for i := range 20000 {
				fmt.Fprintf(w, "SETINFO x.%d \"v\"\nADDENUM ups.status \"e%d\"\n", i, i)
			}
		}, "SETINFO ups.status \"OB\"\n", "OB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "drv")
			hostileDriver(t, path, tt.attack, tt.last)
			var logs testlog.Buffer
			before := heapMB()
			l := driversock.NewLink(driversock.LinkConfig{Path: path, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); l.Run(ctx) }()
			defer func() { cancel(); <-done }()
			// Lexing 16 MB byte by byte takes seconds under -race on a
			// busy machine: the bound is on memory, not on time.
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if v, _ := value(l, "ups.status"); v == tt.status {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the last good line after the attack never came")
				}
			}
			grew := heapMB() - before
			var vars, longest, enums int
			l.View(func(tr *state.Tree, _ driversock.Availability, _ bool) {
				vars = tr.Len()
				for _, v := range tr.Vars() {
					longest = max(longest, len(nutproto.AppendEscaped(nil, v.Value)))
					enums = max(enums, len(v.Enums))
				}
			})
			t.Logf("heap grew %.1f MB; %d variables, longest value %d, most enums %d", grew, vars, longest, enums)
			if grew > 4 {
				t.Errorf("heap grew %.1f MB under the attack", grew)
			}
			if longest > 255 || vars > driversock.DefaultLimits.Vars || enums > driversock.DefaultLimits.Enums {
				t.Errorf("limits passed: %d variables, a value of %d, %d enums", vars, longest, enums)
			}
			if n := strings.Count(logs.String(), "driver sent more than upsd keeps"); n != 1 {
				t.Errorf("the excess logged %d times, want once\n%.2000s", n, logs.String())
			}
		})
	}
}

// TestValueCapMatchesNUT: a value longer than NUT serves is cut to 255
// escaped characters, never in the middle of an escape.
func TestValueCapMatchesNUT(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{strings.Repeat("a", 300), strings.Repeat("a", 255)},
		{strings.Repeat("a", 255), strings.Repeat("a", 255)},
		{strings.Repeat("a", 254) + `"b`, strings.Repeat("a", 254)},
		{strings.Repeat(`\`, 200), strings.Repeat(`\`, 127)},
		{"short", "short"},
	} {
		tr := state.New()
		ok, err := driversock.ApplyLimited(tr, []string{"SETINFO", "v", tt.in}, driversock.DefaultLimits)
		if got := tr.Get("v").Value; !ok || got != tt.want {
			t.Errorf("%d bytes: kept %d bytes (%v), want %d", len(tt.in), len(got), err, len(tt.want))
		}
		if (err != nil) != (tt.in != tt.want) {
			t.Errorf("%d bytes: error %v", len(tt.in), err)
		}
	}
}
