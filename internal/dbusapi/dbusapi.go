// Package dbusapi is sysnut's D-Bus service (org.sysnut.UPS1): every UPS
// upsd serves is an object whose variables are properties, with change
// signals, and whose methods (instant commands, setting variables, forced
// shutdown) are allowed by polkit, the way timedated serves timedatectl.
// Reading needs no privilege; every change does.
package dbusapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"

	"github.com/sysnut/sysnut/internal/events"
	"github.com/sysnut/sysnut/internal/nutproto"

	"github.com/sysnut/sysnut/internal/upsbus"
)

// The polkit actions of org.sysnut.ups1.policy.
const (
	ActionInstantCommand   = "org.sysnut.ups1.instant-command"
	ActionSetVariable      = "org.sysnut.ups1.set-variable"
	ActionForcedShutdown   = "org.sysnut.ups1.forced-shutdown"
	ActionTestNotification = "org.sysnut.ups1.test-notification"
)

// UPS is one UPS upsd serves.
type UPS struct{ Name, Desc string }

// Backend is where the state comes from and where changes go: upsd.
type Backend interface {
	UPS(ctx context.Context) ([]UPS, error)
	Vars(ctx context.Context, ups string) (map[string]string, error)
	Commands(ctx context.Context, ups string) ([]string, error)
	InstantCommand(ctx context.Context, ups, cmd, param string) error
	SetVariable(ctx context.Context, ups, name, value string) error
	ForcedShutdown(ctx context.Context, ups string) error
	TestNotification(ctx context.Context, typ string) error
}

// Authorizer decides whether a caller may perform an action (polkit);
// interactive says whether the caller allows a password prompt (its
// message's ALLOW_INTERACTIVE_AUTHORIZATION flag: upsctl --no-ask-password
// clears it).
type Authorizer interface {
	Check(ctx context.Context, sender dbus.Sender, action string, details map[string]string, interactive bool) *dbus.Error
}

// senderOf is the unique bus name that sent call.
func senderOf(call dbus.Message) dbus.Sender {
	s, _ := call.Headers[dbus.FieldSender].Value().(string)
	return dbus.Sender(s)
}

// caller names who sent call for the journal, as a person reads it: the
// user ID, and the systemd unit the process runs in (a login session, a
// service), asked of the bus and of systemd; the bus name only when
// neither answers.
// who names a caller in words from caller's attributes: "uid 1000
// (unit session-3.scope)", or its bus name when nothing else is known.
func who(attrs []any) string {
	f := map[string]string{}
	for i := 0; i+1 < len(attrs); i += 2 {
		if k, ok := attrs[i].(string); ok {
			f[k] = fmt.Sprint(attrs[i+1])
		}
	}
	switch {
	case f["caller_uid"] != "" && f["caller_unit"] != "":
		return "uid " + f["caller_uid"] + " (unit " + f["caller_unit"] + ")"
	case f["caller_uid"] != "":
		return "uid " + f["caller_uid"]
	}
	return "bus client " + f["sender"]
}

func (s *Service) caller(call dbus.Message) []any {
	sender := string(senderOf(call))
	bus := s.Conn.BusObject()
	var uid, pid uint32
	out := []any{}
	if bus.Call("org.freedesktop.DBus.GetConnectionUnixUser", 0, sender).Store(&uid) == nil {
		out = append(out, "caller_uid", uid)
	}
	if bus.Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, sender).Store(&pid) == nil {
		out = append(out, "caller_pid", pid)
		var unit dbus.ObjectPath
		sd := s.Conn.Object("org.freedesktop.systemd1", "/org/freedesktop/systemd1")
		if sd.Call("org.freedesktop.systemd1.Manager.GetUnitByPID", 0, pid).Store(&unit) == nil {
			if v, err := s.Conn.Object("org.freedesktop.systemd1", unit).GetProperty("org.freedesktop.systemd1.Unit.Id"); err == nil {
				if id, ok := v.Value().(string); ok {
					out = append(out, "caller_unit", id)
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "sender", sender)
	}
	return out
}

// Service exports the UPSes on Conn and keeps them current.
type Service struct {
	Conn     *dbus.Conn
	Backend  Backend
	Auth     Authorizer
	Log      *slog.Logger
	Interval time.Duration // how often upsd is read while someone reads the bus (default 2 s)
	// ActiveFor is how long after a read of the bus (a property, a
	// method) upsd is read every Interval; after it, only every
	// IdleInterval and at once when upsd pushes a status change (WATCH),
	// so that an idle service does not wake every 2 s. Defaults: a
	// minute each. A upsd that does not push (NUT's) is read every
	// Interval.
	ActiveFor, IdleInterval time.Duration
	// Events reads the outage history (events.Journal); nil: ListEvents
	// answers NotSupported.
	Events func(ctx context.Context, q events.Query) ([]events.Event, error)

	mu      sync.Mutex
	devices map[string]*device

	lastRead atomic.Int64  // unix nanoseconds of the last read of the bus
	watched  int           // UPSes when WATCH was last asked for; mu
	polled   atomic.Bool   // upsd does not push: read every Interval
	kick     chan struct{} // a refresh now: a read after idleness, a push
	freshMu  sync.Mutex
	fresh    chan struct{} // closed after each refresh (touch waits on it)
	rewatch  chan struct{} // the UPS list changed: WATCH them again
}

// Watcher is a Backend that pushes status changes (sysnut's upsd's
// WATCH): Watch calls changed after each one, until ctx ends or the
// connection fails.
type Watcher interface {
	Watch(ctx context.Context, ups []string, changed func()) error
}

// touch records a read of the bus. The first after idleness asks for a
// refresh at once and waits for it (up to freshWait), so that even that
// read is answered with what upsd says now.
func (s *Service) touch() {
	now := time.Now().UnixNano()
	if prev := s.lastRead.Swap(now); time.Duration(now-prev) > s.ActiveFor {
		s.freshMu.Lock()
		fresh := s.fresh
		s.freshMu.Unlock()
		s.signal(s.kick)
		select {
		case <-fresh:
		case <-time.After(freshWait):
		}
	}
}

// freshWait bounds how long the first read after idleness waits for upsd.
const freshWait = 500 * time.Millisecond

// refreshed tells the reads waiting in touch that a refresh is done.
func (s *Service) refreshed() {
	s.freshMu.Lock()
	close(s.fresh)
	s.fresh = make(chan struct{})
	s.freshMu.Unlock()
}

func (s *Service) signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// next is the time to the next refresh.
func (s *Service) next() time.Duration {
	if s.polled.Load() || time.Since(time.Unix(0, s.lastRead.Load())) < s.ActiveFor {
		return s.Interval
	}
	return s.IdleInterval
}

// PropertyName is a variable's name on upsbus.VarsIface.
func PropertyName(v string) string {
	p := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, v)
	if p == "" || p[0] >= '0' && p[0] <= '9' {
		p = "_" + p
	}
	return p
}

// Run claims the bus name, exports the manager and refreshes the UPS
// objects until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if s.Interval <= 0 {
		s.Interval = 2 * time.Second
	}
	if s.ActiveFor <= 0 {
		s.ActiveFor = time.Minute
	}
	if s.IdleInterval <= 0 {
		s.IdleInterval = time.Minute
	}
	s.kick, s.rewatch, s.fresh = make(chan struct{}, 1), make(chan struct{}, 1), make(chan struct{})
	w, pushes := s.Backend.(Watcher)
	s.polled.Store(!pushes)
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	s.devices = map[string]*device{}
	m := &manager{s: s}
	if err := s.Conn.Export(m, upsbus.ManagerPath, upsbus.ManagerIface); err != nil {
		return err
	}
	if err := s.Conn.Export(introspect.Introspectable(managerXML), upsbus.ManagerPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return err
	}
	// busctl tree walks down from "/": every ancestor must name its child.
	for path, child := range map[dbus.ObjectPath]string{"/": "org", "/org": "sysnut", "/org/sysnut": "UPS1"} {
		xml := introspect.Introspectable(`<node>` + introspect.IntrospectDataString + `<node name="` + child + `"/></node>`)
		if err := s.Conn.Export(xml, path, "org.freedesktop.DBus.Introspectable"); err != nil {
			return err
		}
	}
	if err := s.Conn.Export(upsDir{s}, dbus.ObjectPath(strings.TrimSuffix(upsbus.DevicePath, "/")), "org.freedesktop.DBus.Introspectable"); err != nil {
		return err
	}
	s.refresh(ctx)
	reply, err := s.Conn.RequestName(upsbus.BusName, dbus.NameFlagDoNotQueue)
	if err != nil {
		return fmt.Errorf("request %s: %w", upsbus.BusName, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("%s is already owned", upsbus.BusName)
	}
	s.Log.Info("serving on the bus", "name", upsbus.BusName)
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if pushes {
		select { // the first refresh asked for it: the watch starts with it
		case <-s.rewatch:
		default:
		}
		wg.Go(func() { s.watch(ctx, w) })
	}
	t := time.NewTimer(s.next())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.kick:
		}
		s.refresh(ctx)
		s.refreshed()
		t.Reset(s.next())
	}
}

// watch keeps a WATCH on every UPS, so that a status change is on the
// bus at once while nobody reads it; it ends with ctx. Without WATCH
// (NUT's upsd) upsd is read every Interval instead.
func (s *Service) watch(ctx context.Context, w Watcher) {
	pause := time.Second
	for ctx.Err() == nil {
		s.mu.Lock()
		names := sortedKeys(s.devices)
		s.mu.Unlock()
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		if len(names) > 0 {
			go func() { done <- w.Watch(wctx, names, func() { s.signal(s.kick) }) }()
		}
		var err error
		ended := len(names) == 0
		select {
		case <-ctx.Done():
		case <-s.rewatch:
		case err = <-done:
			ended = true
		}
		cancel()
		if !ended {
			err = <-done
		}
		var pe *nutproto.Error
		if errors.As(err, &pe) && pe.Code == nutproto.ErrUnknownCommand {
			s.polled.Store(true)
			s.Log.Info("upsd does not push status changes (NUT's upsd): read every " + s.Interval.String())
			return
		}
		if err == nil || ctx.Err() != nil {
			pause = time.Second
			continue // the UPS list changed, or the end
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		case <-s.rewatch:
		}
		pause = min(2*pause, time.Minute)
	}
}

// refresh re-reads upsd: objects for new UPSes, none for removed ones,
// and new values (with PropertiesChanged) for the rest.
func (s *Service) refresh(ctx context.Context) {
	list, err := s.Backend.UPS(ctx)
	if err != nil {
		s.Log.Warn("cannot list UPSes", "err", err)
		return
	}
	// Read upsd before taking the lock, which method calls share.
	vars := make([]map[string]string, len(list))
	for i, u := range list {
		if vars[i], err = s.Backend.Vars(ctx, u.Name); err != nil {
			// A UPS whose driver is down keeps its object, with no variables.
			vars[i] = map[string]string{}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for i, u := range list {
		seen[u.Name] = true
		d := s.devices[u.Name]
		if d == nil {
			d = &device{s: s, name: u.Name, path: upsbus.ObjectPath(u.Name)}
			s.devices[u.Name] = d
			s.Log.Info("UPS on the bus", "ups", u.Name, "path", d.path)
		}
		if err := d.update(u.Desc, vars[i]); err != nil {
			s.Log.Warn("cannot export UPS", "ups", u.Name, "err", err)
		}
	}
	changed := false
	for name, d := range s.devices {
		if !seen[name] {
			d.unexport()
			delete(s.devices, name)
			changed = true
		}
	}
	if changed || len(list) != s.watched {
		s.watched = len(list)
		s.signal(s.rewatch)
	}
}

// nutError turns a backend failure into a D-Bus error: NUT's ERR codes
// keep their name (org.sysnut.UPS1.Error.CMD_NOT_SUPPORTED).
func nutError(err error) *dbus.Error {
	var pe *nutproto.Error
	if errors.As(err, &pe) && pe.Code != "" {
		return dbus.NewError(upsbus.ErrPrefix+strings.ReplaceAll(string(pe.Code), "-", "_"), []any{err.Error()})
	}
	return dbus.NewError(upsbus.ErrPrefix+"Failed", []any{err.Error()})
}

// manager is the object at upsbus.ManagerPath.
type manager struct{ s *Service }

// ListUPS returns (name, description, object path) for every UPS.
func (m *manager) ListUPS() ([]struct {
	Name, Desc string
	Path       dbus.ObjectPath
}, *dbus.Error) {
	m.s.touch()
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	var out []struct {
		Name, Desc string
		Path       dbus.ObjectPath
	}
	for _, n := range sortedKeys(m.s.devices) {
		d := m.s.devices[n]
		out = append(out, struct {
			Name, Desc string
			Path       dbus.ObjectPath
		}{d.name, d.props.description(), d.path})
	}
	return out, nil
}

// TestNotification sends one notification of a type through upsmon's
// configured channels.
func (m *manager) TestNotification(call dbus.Message, typ string) *dbus.Error {
	return m.s.authorized(call, ActionTestNotification, map[string]string{"type": typ}, 30*time.Second, func(ctx context.Context) error {
		c := m.s.caller(call)
		m.s.Log.Info("test notification "+typ+" requested by "+who(c), append(c, "type", typ)...)
		return m.s.Backend.TestNotification(ctx, typ)
	})
}

// ListEvents returns the outage history (upsctl events): the events of
// ups (a name or ups@host; all if empty) that overlap [since, until]
// (microseconds since the epoch; 0: unbounded). Reading needs no
// privilege, as reading a UPS's status needs none.
func (m *manager) ListEvents(sinceUsec, untilUsec uint64, ups string) ([]upsbus.Event, *dbus.Error) {
	m.s.touch()
	if m.s.Events == nil {
		return nil, dbus.NewError(upsbus.ErrPrefix+"NotSupported", []any{"this service does not read the journal"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q := events.Query{UPS: ups}
	if sinceUsec > 0 {
		q.Since = time.UnixMicro(int64(sinceUsec))
	}
	if untilUsec > 0 {
		q.Until = time.UnixMicro(int64(untilUsec))
	}
	evs, err := m.s.Events(ctx, q)
	if err != nil {
		m.s.Log.Warn("cannot read the outage history", "err", err)
		return nil, dbus.NewError(upsbus.ErrPrefix+"Failed", []any{"cannot read the journal: " + err.Error()})
	}
	out := make([]upsbus.Event, 0, len(evs))
	for _, e := range evs {
		out = append(out, upsbus.ToBus(e))
	}
	return out, nil
}

// authorized asks polkit whether sender may perform action and, if so,
// runs do; timeout bounds both, since polkit may wait for a password. A
// refusal is logged with the details; a backend failure keeps NUT's code.
func (s *Service) authorized(call dbus.Message, action string, details map[string]string, timeout time.Duration, do func(context.Context) error) *dbus.Error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	sender := senderOf(call)
	interactive := call.Flags&dbus.FlagAllowInteractiveAuthorization != 0
	if err := s.Auth.Check(ctx, sender, action, details, interactive); err != nil {
		attrs := append(s.caller(call), "action", action)
		for _, k := range sortedKeys(details) {
			attrs = append(attrs, k, details[k])
		}
		s.Log.Warn("refused by polkit", append(attrs, "err", err.Name)...)
		return err
	}
	if err := do(ctx); err != nil {
		return nutError(err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// upsDir introspects /org/sysnut/UPS1/ups, whose children are the UPSes.
type upsDir struct{ s *Service }

// Introspect lists the UPS objects as child nodes.
func (d upsDir) Introspect() (string, *dbus.Error) {
	d.s.mu.Lock()
	defer d.s.mu.Unlock()
	var b strings.Builder
	b.WriteString("<node>" + introspect.IntrospectDataString)
	for _, n := range sortedKeys(d.s.devices) {
		b.WriteString(`<node name="` + strings.TrimPrefix(string(upsbus.ObjectPath(n)), upsbus.DevicePath) + `"/>`)
	}
	b.WriteString("</node>")
	return b.String(), nil
}

const managerXML = `<node>
 <interface name="org.sysnut.UPS1.Manager">
  <method name="ListUPS"><arg name="ups" type="a(sso)" direction="out"/></method>
  <method name="TestNotification"><arg name="type" type="s" direction="in"/></method>
  <method name="ListEvents"><arg name="since_usec" type="t" direction="in"/><arg name="until_usec" type="t" direction="in"/><arg name="ups" type="s" direction="in"/><arg name="events" type="a(sssttbssa{ss})" direction="out"/></method>
 </interface>` + introspect.IntrospectDataString + `<node name="ups"/></node>`
