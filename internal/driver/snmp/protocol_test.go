package snmp

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
)

// fakeAgent answers every GET with INTEGER 1 until it is told to keep
// silent; then it reports each request it ignores on heard.
type fakeAgent struct {
	l      net.PacketConn
	silent atomic.Bool
	heard  chan struct{}
}

func newFakeAgent(t *testing.T) *fakeAgent {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &fakeAgent{l: l, heard: make(chan struct{}, 100)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dec := &gosnmp.GoSNMP{Logger: gosnmp.NewLogger(nil)}
		buf := make([]byte, 65536)
		for {
			n, from, err := l.ReadFrom(buf)
			if err != nil {
				return
			}
			if a.silent.Load() {
				a.heard <- struct{}{}
				continue
			}
			req, err := dec.SnmpDecodePacket(buf[:n])
			if err != nil {
				continue
			}
			resp := &gosnmp.SnmpPacket{Version: req.Version, Community: req.Community, PDUType: gosnmp.GetResponse,
				RequestID: req.RequestID}
			for _, v := range req.Variables {
				resp.Variables = append(resp.Variables, gosnmp.SnmpPDU{Name: v.Name, Type: gosnmp.Integer, Value: 1})
			}
			if b, err := resp.MarshalMsg(); err == nil {
				l.WriteTo(b, from)
			}
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return a
}

// A walk waiting on a silent agent must not hold the driver's state:
// upsd reads it through the driver socket all the while.
func TestWalkLeavesTheStateUnlocked(t *testing.T) {
	a := newFakeAgent(t)
	ups := &config.UPS{Name: "net", Driver: "snmp-ups", Port: a.l.LocalAddr().String(), Params: []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "snmp_version", Value: "v2c"}, {Key: "pollfreq", Value: "0"},
		{Key: "snmp_timeout", Value: "60"}, {Key: "snmp_retries", Value: "0"}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := driver.NewTestState(p, ups)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := p.Connect(ctx, s); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("battery.charge"); v != "1" {
		t.Fatalf("battery.charge = %q after the first walk", v)
	}
	a.silent.Store(true)
	polled := make(chan error, 1)
	go func() { polled <- p.Poll(ctx, s) }()
	<-a.heard // the walk now waits for an answer that will not come
	updated := make(chan struct{})
	go func() {
		s.Update(func(*driver.Vars) {})
		close(updated)
	}()
	select {
	case <-updated:
	case err := <-polled:
		t.Fatalf("the poll ended (%v) before the state could be touched", err)
	}
	cancel()
	if err := <-polled; err == nil {
		t.Error("a poll cut short by a silent agent reported no error")
	}
}

// A silent agent costs one timeout per walk, not one per table entry.
func TestSilentAgentFailsTheWalkAtOnce(t *testing.T) {
	a := newFakeAgent(t)
	ups := &config.UPS{Name: "net", Driver: "snmp-ups", Port: a.l.LocalAddr().String(), Params: []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "pollfreq", Value: "0"}, {Key: "snmp_timeout", Value: "1"},
		{Key: "snmp_retries", Value: "0"}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := driver.NewTestState(p, ups)
	if err := p.Connect(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Get("ups.status")
	a.silent.Store(true)
	err = p.Poll(context.Background(), s)
	if want := fmt.Sprintf("agent %s does not answer SNMP v1 with the community configured", a.l.LocalAddr()); err == nil ||
		len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("Poll: %v, want %q...", err, want)
	}
	if n := len(a.heard); n != 1 {
		t.Errorf("the walk sent %d requests to a silent agent, want 1", n)
	}
	if after, _ := s.Get("ups.status"); after != before {
		t.Errorf("a walk cut short published ups.status %q (was %q)", after, before)
	}
}

// BenchmarkWalk is one poll of the ietf table against an agent on
// loopback: what each SNMP UPS costs the machine every pollfreq.
func BenchmarkWalk(b *testing.B) {
	t := &testing.T{}
	a := newFakeAgent(t)
	defer a.l.Close()
	ups := &config.UPS{Name: "net", Driver: "snmp-ups", Port: a.l.LocalAddr().String(), Params: []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "snmp_version", Value: "v2c"}, {Key: "pollfreq", Value: "0"}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	s := driver.NewTestState(p, ups)
	if err := p.Connect(context.Background(), s); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Poll(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}

// An agent's port with nothing behind it is said the same way at every
// attempt (the framework logs a problem once, when its text changes),
// and the community, a secret, is not in it.
func TestClosedPortSaidOnceWithoutTheCommunity(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.LocalAddr().String()
	l.Close()
	ups := &config.UPS{Name: "net", Driver: "snmp-ups", Port: addr, Params: []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "community", Value: "s3cret-community"},
		{Key: "snmp_timeout", Value: "1"}, {Key: "snmp_retries", Value: "0"}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := driver.NewTestState(p, ups)
	var msgs []string
	for range 2 {
		err := p.Connect(context.Background(), s)
		if err == nil {
			t.Fatal("connected to a closed port")
		}
		msgs = append(msgs, err.Error())
	}
	if msgs[0] != msgs[1] || !strings.Contains(msgs[0], "nothing listens there") || strings.Contains(msgs[0], "s3cret") {
		t.Errorf("errors: %q", msgs)
	}
}
