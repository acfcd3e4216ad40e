package loadgen

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"time"
)

// Target is one server under attack: its address and its process, whose
// memory is sampled.
type Target struct {
	Name string
	Addr string
	Pid  int
}

// AttackOptions bound the attack suite, so that CI can run all of it.
type AttackOptions struct {
	Duration   time.Duration  // how long each client attack lasts
	Settle     time.Duration  // pause after an attack before "after" is read
	UPS        string         // a normal UPS both servers serve
	Evil       string         // the UPS whose driver is Driver
	Driver     *HostileDriver // the driver both servers read for Evil
	DriverSize int            // bytes sent by each driver attack
	Idle       int            // idle connections of the flood
	User       string         // a user of upsd.users, for the guessing
}

// attack is one row of the suite: run performs it against t until ctx
// ends (or returns early, for the driver attacks) and may report a figure.
type attack struct {
	name string
	run  func(ctx context.Context, t Target) string
}

// RunAttacks performs each attack on each target in turn and prints, per
// row and server: RSS before, at its peak during the attack and after it;
// the slowest of the newcomers that asked during it; and what the attack
// itself measured. Every attack is bounded in time and size and only
// reaches the given loopback addresses.
func RunAttacks(ctx context.Context, w io.Writer, targets []Target, o AttackOptions) {
	attacks := []attack{
		{"20 clients LIST VAR a UPS of long values, never reading", func(ctx context.Context, t Target) string {
			NeverRead(ctx, t.Addr, 20, "LIST VAR "+o.Evil)
			return ""
		}},
		{"1 client streaming LIST VAR, never reading", func(ctx context.Context, t Target) string {
			NeverRead(ctx, t.Addr, 1, "LIST VAR "+o.Evil)
			return ""
		}},
		{fmt.Sprintf("%d idle connections", o.Idle), func(ctx context.Context, t Target) string {
			held, err := Idle(ctx, t.Addr, o.Idle, o.Duration)
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			<-ctx.Done()
			if err != nil {
				return fmt.Sprintf("held %d (%v)", len(held), err)
			}
			return fmt.Sprintf("held %d", len(held))
		}},
		{"password guessing from rotating loopback addresses", func(ctx context.Context, t Target) string {
			n := Guess(ctx, t.Addr, o.UPS, o.User, 4)
			return fmt.Sprintf("%.0f guesses checked/s", float64(n)/o.Duration.Seconds())
		}},
	}
	driverAttacks := []struct {
		name                    string
		prefix, pattern, suffix string
	}{
		{"driver sends one huge line", "SETINFO test.huge \"", "x", "\"\n"},
		{"driver sends words without a newline", "", "w ", "\n"},
		{"driver sends an unterminated quote", "SETINFO test.quote \"", "q\n", ""},
	}
	fmt.Fprintf(w, "attacks: each %s, loopback; RSS in MB before / peak / %s after; newcomer: slowest GET VAR during the attack\n\n", o.Duration, o.Settle)
	for _, a := range attacks {
		fmt.Fprintln(w, a.name)
		for _, t := range targets {
			row := measure(ctx, t, o, func(ctx context.Context) string { return a.run(ctx, t) })
			fmt.Fprintf(w, "  %-15s %s\n", t.Name, row)
		}
	}
	// Driver attacks reach both servers at once: they read the same socket.
	for _, a := range driverAttacks {
		fmt.Fprintf(w, "%s (%d MB)\n", a.name, o.DriverSize>>20)
		rows := measureAll(ctx, targets, o, func() {
			o.Driver.Send(a.prefix, a.pattern, o.DriverSize, a.suffix)
		})
		for i, t := range targets {
			fmt.Fprintf(w, "  %-15s %s\n", t.Name, rows[i])
		}
	}
}

// sample is what is watched during one attack on one target.
type sample struct {
	before, peak int64
	slowest      time.Duration
	failed       int
}

func (s *sample) watch(ctx context.Context, t Target, ups string) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		s.peak = max(s.peak, RSS(t.Pid))
		if d, err := NewClient(t.Addr, ups); err != nil {
			s.failed++
		} else {
			s.slowest = max(s.slowest, d)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *sample) row(t Target, o AttackOptions, note string) string {
	time.Sleep(o.Settle)
	after := RSS(t.Pid)
	nc := fmt.Sprintf("newcomer %s", s.slowest.Round(time.Millisecond))
	if s.failed > 0 {
		nc += fmt.Sprintf(", %d unanswered", s.failed)
	}
	return fmt.Sprintf("RSS %5.1f / %6.1f / %5.1f  %s  %s", MB(s.before), MB(s.peak), MB(after), nc, note)
}

// MB is a byte count in mebibytes, as the reports print memory.
func MB(b int64) float64 { return float64(b) / (1 << 20) }

// measure runs one client attack on t for o.Duration while sampling.
func measure(ctx context.Context, t Target, o AttackOptions, run func(ctx context.Context) string) string {
	s := &sample{before: RSS(t.Pid)}
	actx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	watched := make(chan struct{})
	go func() { defer close(watched); s.watch(actx, t, o.UPS) }()
	note := run(actx)
	cancel()
	<-watched
	return s.row(t, o, note)
}

// measureAll runs one driver attack, which reaches every target at once,
// sampling each; then it says whether each still serves the UPS's status.
func measureAll(ctx context.Context, targets []Target, o AttackOptions, send func()) []string {
	samples := make([]*sample, len(targets))
	actx, cancel := context.WithCancel(ctx)
	var done []chan struct{}
	for i, t := range targets {
		samples[i] = &sample{before: RSS(t.Pid)}
		ch := make(chan struct{})
		done = append(done, ch)
		go func() { defer close(ch); samples[i].watch(actx, t, o.UPS) }()
	}
	send()
	time.Sleep(o.Duration / 2) // the servers read at their own pace
	cancel()
	for _, ch := range done {
		<-ch
	}
	rows := make([]string, len(targets))
	for i, t := range targets {
		rows[i] = samples[i].row(t, o, "ups.status of the attacked UPS: "+status(t.Addr, o.Evil))
	}
	return rows
}

// status reads GET VAR ups.status, or the error.
func status(addr, ups string) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(c, "GET VAR %s ups.status\n", ups)
	buf := make([]byte, 256)
	n, _ := c.Read(buf)
	l := string(buf[:n])
	if i := slices.Index([]byte(l), '\n'); i >= 0 {
		l = l[:i]
	}
	return l
}
