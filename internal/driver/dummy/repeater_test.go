package dummy

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/upsd"
)

type nop struct{}

func (nop) SetVar(string, string) int  { return driversock.StatusHandled }
func (nop) InstCmd(string, string) int { return driversock.StatusHandled }

// TestRepeater relays a UPS from a upsd (ours, fed by a publisher) and
// follows its changes, including deleted variables.
func TestRepeater(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sock := filepath.Join(t.TempDir(), "dummy-ups-remote")
	pub := driversock.NewPublisher(nop{}, nil)
	pub.Update(func(u *driversock.Updater) {
		u.Set("ups.status", "OL")
		u.Set("battery.charge", "90")
		u.Set("driver.name", "remote-driver")
	})
	pub.DataOK()
	dl, err := driversock.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	go pub.Serve(ctx, dl)
	srv := upsd.New(upsd.Config{UPS: []upsd.UPSDef{{Name: "remote", Socket: sock}}}, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Run(ctx, []net.Listener{l})

	ups := &config.UPS{Name: "relay", Driver: "dummy-ups", Params: []config.Param{{Key: "port", Value: "remote@" + l.Addr().String()}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	s := driver.NewTestState(p, ups)
	if err := p.Connect(ctx, s); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	poll := func(name, want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			err := p.Poll(ctx, s)
			got, ok := s.Get(name)
			if err == nil && ((want == "" && !ok) || got == want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s = %q (%v), want %q", name, got, err, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	poll("ups.status", "OL")
	poll("battery.charge", "90")
	if v, _ := s.Get("driver.name"); v == "remote-driver" {
		t.Error("the remote driver's own driver.* variables were copied")
	}
	if v, _ := s.Get("driver.parameter.mode"); v != ModeRepeater {
		t.Errorf("mode = %q", v)
	}
	pub.Update(func(u *driversock.Updater) { u.Set("ups.status", "OB LB"); u.Delete("battery.charge") })
	poll("ups.status", "OB LB")
	poll("battery.charge", "")
}
