package dashboard

import (
	"context"
	"errors"
	"math"
	"strconv"
	"sync"
	"time"

	"log/slog"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/snapshot"
)

// State is what the page shows now.
type State struct {
	Time   time.Time  `json:"time"`
	UpsdUp bool       `json:"upsd_up"`
	Error  string     `json:"error,omitempty"`
	UPS    []UPSState `json:"ups"`
}

// UPSState is one UPS now.
type UPSState struct {
	Name            string            `json:"name"`
	Status          string            `json:"status"` // ups.status; empty when unknown
	Stale           bool              `json:"stale"`
	DriverConnected bool              `json:"driver_connected"`
	Vars            map[string]string `json:"vars"` // the variables the page shows
}

// shown are the variables the page shows besides Fields.
var shown = []string{"device.mfr", "device.model", "ups.status", "battery.charge", "battery.runtime", "ups.load",
	"input.voltage", "output.voltage", "battery.voltage", "ups.realpower", "ups.test.result"}

// Sampler reads upsd every Every (and at once after a pushed status
// change), records each UPS's sample in Store and tells subscribers.
type Sampler struct {
	Server snapshot.Server
	Store  *Store
	Log    *slog.Logger
	Every  time.Duration // default RecentStep

	mu        sync.Mutex
	state     State
	subs      map[chan struct{}]struct{}
	kick      chan struct{}
	readyOnce sync.Once
	ready     chan struct{}
}

// Ready is closed once the first sample is taken.
func (s *Sampler) Ready() <-chan struct{} {
	s.readyOnce.Do(func() { s.ready = make(chan struct{}) })
	return s.ready
}

// Current returns the latest state, waiting (up to ctx) for the first.
func (s *Sampler) Current(ctx context.Context) State {
	select {
	case <-s.Ready():
	case <-ctx.Done():
		return State{Time: time.Now(), Error: "no sample of upsd yet", UPS: []UPSState{}}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Subscribe returns a channel that receives (coalesced) after each new
// state, and a function to stop.
func (s *Sampler) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	if s.subs == nil {
		s.subs = map[chan struct{}]struct{}{}
	}
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}
}

// Run samples until ctx ends; the WATCH reader it starts ends with it.
func (s *Sampler) Run(ctx context.Context) {
	if s.Every <= 0 {
		s.Every = RecentStep
	}
	s.kick = make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() { s.watch(ctx) })
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		s.sample(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

func (s *Sampler) sample(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r, err := snapshot.Read(rctx, s.Server, "", func(string) bool { return false })
	now := time.Now()
	st := State{Time: now, UpsdUp: err == nil, UPS: []UPSState{}}
	if err != nil {
		st.Error = err.Error()
		if s.wasUp() {
			s.Log.Warn("cannot read upsd", "server", s.Server.Addr, "err", err)
		}
	}
	if r != nil {
		for _, u := range r.UPS {
			us := UPSState{Name: u.Name, Stale: u.Stale, DriverConnected: u.DriverConnected, Vars: map[string]string{}}
			all := map[string]string{}
			for _, v := range u.Vars {
				all[v.Name] = v.Value
			}
			for _, k := range shown {
				if v, ok := all[k]; ok {
					us.Vars[k] = v
				}
			}
			us.Status = all["ups.status"]
			st.UPS = append(st.UPS, us)
			smp := Sample{Time: now}
			for i, f := range Fields {
				smp.Values[i] = float32(math.NaN())
				if v, err := strconv.ParseFloat(all[f], 32); err == nil {
					smp.Values[i] = float32(v)
				}
			}
			smp.Flags = StatusFlags(us.Status)
			if u.Stale || !u.DriverConnected {
				smp.Flags |= FlagStale
			}
			if err := s.Store.Add(u.Name, smp); err != nil {
				s.Log.Warn("cannot record history", "ups", u.Name, "err", err)
			}
		}
	}
	s.mu.Lock()
	s.state = st
	s.Ready()
	select {
	case <-s.ready:
	default:
		close(s.ready)
	}
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	s.mu.Unlock()
}

// wasUp says whether upsd answered the last sample (or none was taken),
// so that a failure is logged once when it begins.
func (s *Sampler) wasUp() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.Time.IsZero() || s.state.UpsdUp
}

// watch holds a WATCH connection to upsd so that a status change is
// sampled at once; without it (NUT's upsd) the page refreshes every
// Every. A lost connection is retried after a pause.
func (s *Sampler) watch(ctx context.Context) {
	pause := time.Second
	for ctx.Err() == nil {
		err := s.watchOnce(ctx)
		var pe *nutproto.Error
		if errors.As(err, &pe) && pe.Code == nutproto.ErrUnknownCommand {
			s.Log.Info("upsd does not push status changes (NUT's upsd): sampled every " + s.Every.String())
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Minute)
	}
}

func (s *Sampler) watchOnce(ctx context.Context) error {
	c, err := nutclient.Dial(ctx, s.Server.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetTimeout(10 * time.Second)
	names, err := c.UPSNames()
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("no UPS")
	}
	if err := c.Watch(names...); err != nil {
		return err
	}
	return c.Follow(ctx, func(nutclient.Status) {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	})
}
