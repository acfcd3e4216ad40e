package driver

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
)

// State is what a protocol publishes through: the driver socket's tree,
// with ups.conf's override.* values pinned and default.* values filled in
// until the device says otherwise.
type State struct {
	pub       *driversock.Publisher
	ups       string
	overrides map[string]string
	defaults  map[string]string
	log       *slog.Logger

	mu         sync.Mutex
	lastStatus string
	// lastTest is ups.test.result as last seen; testSeen once it was read.
	lastTest string
	testSeen bool
	identity sync.Once // device.* copied from ups.*

	// ignorelb (ups.conf flag): LB from the device is dropped and raised
	// from battery.charge.low / battery.runtime.low instead; deviceStatus
	// is the device's status without LB (only touched inside Update).
	ignoreLB     bool
	deviceStatus string
}

// handler adapts a Protocol to driversock.Handler.
type handler struct {
	ctx context.Context
	p   Protocol
	s   *State
}

func (h handler) SetVar(name, value string) int {
	h.s.log.Info(fmt.Sprintf("set %s to %q", name, value), "ups", h.s.ups, "var", name, "value", value)
	return h.p.SetVar(h.ctx, h.s, name, value)
}

func (h handler) InstCmd(name, param string) int {
	h.s.log.Info("instant command "+name, "ups", h.s.ups, "command", name, "param", param)
	return h.p.InstCmd(h.ctx, h.s, name, param)
}

func newState(ctx context.Context, p Protocol, ups *config.UPS, log *slog.Logger) *State {
	s := &State{ups: ups.Name, overrides: map[string]string{}, defaults: map[string]string{}, log: log,
		ignoreLB: ups.HasFlag("ignorelb")}
	s.pub = driversock.NewPublisher(handler{ctx: ctx, p: p, s: s}, log)
	for _, prm := range ups.Params {
		if k, ok := strings.CutPrefix(prm.Key, "override."); ok {
			s.overrides[k] = prm.Value
		} else if k, ok := strings.CutPrefix(prm.Key, "default."); ok {
			s.defaults[k] = prm.Value
		}
	}
	s.Update(func(v *Vars) {
		for k, val := range s.defaults {
			v.Set(k, val)
		}
		for k, val := range s.overrides {
			v.pin(k, val)
		}
	})
	return s
}

// NewTestState returns a State whose publisher is not served, for
// protocol tests that only look at the published values.
func NewTestState(p Protocol, ups *config.UPS) *State {
	return newState(context.Background(), p, ups, slog.New(slog.DiscardHandler))
}

// Publisher exposes the driver socket end, for tests and for embedding a
// driver in another program (the demo).
func (s *State) Publisher() *driversock.Publisher { return s.pub }

// Logger is the driver's log, for a protocol's own messages.
func (s *State) Logger() *slog.Logger { return s.log }

// Get returns a published value.
func (s *State) Get(name string) (string, bool) { return s.pub.Get(name) }

// Update changes published values inside fn.
func (s *State) Update(fn func(v *Vars)) {
	s.pub.Update(func(u *driversock.Updater) {
		v := &Vars{u: u, s: s}
		fn(v)
		if s.ignoreLB && s.deviceStatus != "" {
			v.pin("ups.status", s.deviceStatus+lowBattery(v))
		}
	})
}

// lowBattery is " LB" when battery.charge is below battery.charge.low or
// battery.runtime below battery.runtime.low, compared as whole numbers
// the way NUT's status_commit does for ignorelb.
func lowBattery(v *Vars) string {
	for _, k := range []string{"battery.charge", "battery.runtime"} {
		val, low := v.Get(k), v.Get(k+".low")
		if val != nil && low != nil && Atol(val.Value) < Atol(low.Value) {
			return " LB"
		}
	}
	return ""
}

// WithoutFlag is a ups.status with every word flag taken out.
func WithoutFlag(status, flag string) string {
	return strings.Join(slices.DeleteFunc(strings.Fields(status), func(f string) bool { return f == flag }), " ")
}

// Atol is C's atol and strtol(s, NULL, 10), as NUT's drivers read
// numbers: the leading integer after blanks, 0 if there is none.
func Atol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r") // C's isspace
	end := 0
	if end < len(s) && (s[0] == '-' || s[0] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

// statusChanged reports whether ups.status changed since the last call.
func (s *State) statusChanged() bool {
	st, _ := s.pub.Get("ups.status")
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == s.lastStatus {
		return false
	}
	s.lastStatus = st
	return true
}

// testResultChanged returns ups.test.result when it changed since the
// last poll: a self-test ended (or began) while the driver ran. The value
// found at start is not a change.
func (s *State) testResultChanged() (string, bool) {
	r, ok := s.pub.Get("ups.test.result")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok || r == s.lastTest {
		return "", false
	}
	seen := s.testSeen
	s.lastTest, s.testSeen = r, true
	return r, seen
}

// Vars edits the published state.
type Vars struct {
	u *driversock.Updater
	s *State
}

// mirrors are the device.* copies NUT keeps of ups.* identity variables.
var mirrors = map[string]string{"ups.mfr": "device.mfr", "ups.model": "device.model", "ups.serial": "device.serial"}

// CopyIdentity makes the device.* copies of ups.mfr, ups.model and
// ups.serial, once: NUT's drivers make them after their first reading of
// the UPS, and a later change of ups.* does not reach device.*. An
// override.device.* value is left alone.
func (s *State) CopyIdentity() {
	s.identity.Do(func() {
		s.Update(func(v *Vars) {
			for from, to := range mirrors {
				if _, ok := s.overrides[to]; ok {
					continue
				}
				if src := v.Get(from); src != nil {
					v.u.Set(to, src.Value)
				}
			}
		})
	})
}

// Set publishes a value, unless ups.conf overrides it.
func (v *Vars) Set(name, value string) {
	if _, ok := v.s.overrides[name]; ok {
		return
	}
	if name == "ups.status" && v.s.ignoreLB {
		// Update publishes it, with LB decided from the battery.
		v.s.deviceStatus = WithoutFlag(value, "LB")
		return
	}
	v.pin(name, value)
}

// pin publishes an override.* value, which Set then leaves alone.
func (v *Vars) pin(name, value string) {
	v.u.Set(name, value)
}

// Delete removes a variable; a default.* value takes its place again.
func (v *Vars) Delete(name string) {
	if _, ok := v.s.overrides[name]; ok {
		return
	}
	if d, ok := v.s.defaults[name]; ok {
		v.u.Set(name, d)
		return
	}
	v.u.Delete(name)
}

// SetFlags, SetAux, AddEnum, AddRange and AddCmd describe variables and
// commands; see driversock.Updater.
func (v *Vars) SetFlags(name string, f state.Flags) { v.u.SetFlags(name, f) }

// SetAux sets a string variable's maximum length.
func (v *Vars) SetAux(name string, n int) { v.u.SetAux(name, n) }

// AddEnum adds an allowed value.
func (v *Vars) AddEnum(name, value string) { v.u.AddEnum(name, value) }

// AddRange adds an allowed range.
func (v *Vars) AddRange(name string, r state.Range) { v.u.AddRange(name, r) }

// AddCmd adds an instant command.
func (v *Vars) AddCmd(name string) { v.u.AddCmd(name) }

// DeleteCmd removes an instant command.
func (v *Vars) DeleteCmd(name string) { v.u.DeleteCmd(name) }

// Get returns a published variable, or nil.
func (v *Vars) Get(name string) *state.Var { return v.u.Get(name) }

// CBuf is what a C buffer of size bytes keeps of s (snprintf cuts it
// to size-1 characters): NUT's drivers print into such buffers, and
// sysnut's print the same.
func CBuf(s string, size int) string {
	if len(s) >= size {
		return s[:size-1]
	}
	return s
}

// StringVars is Vars with Get answering a value and whether it is
// published: the shape the table-driven engines (usbhid, snmp) publish
// through.
type StringVars struct{ *Vars }

// Get returns a published variable's value.
func (v StringVars) Get(name string) (string, bool) {
	if x := v.Vars.Get(name); x != nil {
		return x.Value, true
	}
	return "", false
}
