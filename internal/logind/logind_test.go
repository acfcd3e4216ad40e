package logind_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

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

// PrivateBus starts a dbus-daemon of its own and returns its address.
func privateBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatal("dbus-daemon is required")
		}
		t.Skip("no dbus-daemon")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
`), 0o644)
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(addr)
}

func TestAgainstFakeLogind(t *testing.T) {
	addr := privateBus(t)
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
