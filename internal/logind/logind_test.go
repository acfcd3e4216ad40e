package logind_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/sysnut/sysnut/internal/dbustest"
	"github.com/sysnut/sysnut/internal/logind"
)

// fakeManager is a stand-in for logind's Manager on a private bus: a
// real dbus-daemon, a fake service.
type fakeManager struct {
	mu     sync.Mutex
	calls  []string
	refuse bool
}

func (m *fakeManager) record(s string) { m.mu.Lock(); m.calls = append(m.calls, s); m.mu.Unlock() }

func (m *fakeManager) PowerOff(interactive bool) *dbus.Error {
	m.mu.Lock()
	refuse := m.refuse
	m.mu.Unlock()
	if refuse {
		return dbus.NewError("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", []any{"Interactive authentication required."})
	}
	if interactive {
		m.record("PowerOff(true)")
	} else {
		m.record("PowerOff(false)")
	}
	return nil
}

func (m *fakeManager) CanPowerOff() (string, *dbus.Error) { return "yes", nil }

func (m *fakeManager) ScheduleShutdown(kind string, usec uint64) *dbus.Error {
	m.record("ScheduleShutdown(" + kind + ")")
	return nil
}

func (m *fakeManager) CancelScheduledShutdown() (bool, *dbus.Error) {
	m.record("CancelScheduledShutdown")
	return true, nil
}

func TestAgainstFakeLogind(t *testing.T) {
	addr := dbustest.PrivateBus(t)
	svc, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	fake := &fakeManager{}
	if err := svc.Export(fake, "/org/freedesktop/login1", "org.freedesktop.login1.Manager"); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.RequestName("org.freedesktop.login1", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", r, err)
	}

	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := logind.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s, err := c.CanPowerOff(ctx); err != nil || s != "yes" {
		t.Fatalf("CanPowerOff = %q, %v", s, err)
	}
	if err := c.ScheduleShutdown(ctx, "dry-poweroff", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.CancelScheduledShutdown(ctx); err != nil || !ok {
		t.Fatalf("CancelScheduledShutdown = %v, %v", ok, err)
	}
	if err := c.PowerOff(ctx); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	fake.refuse = true
	fake.mu.Unlock()
	err = c.PowerOff(ctx)
	var ref *logind.Refused
	if !errors.As(err, &ref) || ref.Name != "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired" ||
		!strings.Contains(err.Error(), "Interactive authentication required") {
		t.Fatalf("a polkit refusal came back as %v", err)
	}
	want := []string{"ScheduleShutdown(dry-poweroff)", "CancelScheduledShutdown", "PowerOff(false)"}
	if strings.Join(fake.calls, ",") != strings.Join(want, ",") {
		t.Errorf("calls = %v, want %v", fake.calls, want)
	}
}
