package snmp

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
)

// newProtocol is snmp-ups for a UPS "net" whose agent is at port, with
// the section's parameters, and its state; closed when the test ends.
func newProtocol(tb testing.TB, port string, params []config.Param) (driver.Protocol, *driver.State) {
	tb.Helper()
	ups := &config.UPS{Name: "net", Driver: "snmp-ups", Port: port, Params: params}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	return p, driver.NewTestState(p, ups)
}

// fakeAgent answers every GET with INTEGER 1 until it is told to keep
// silent; then it reports each request it ignores on heard.
type fakeAgent struct {
	l      net.PacketConn
	silent atomic.Bool
	heard  chan struct{}
	// missing are OIDs the agent lacks: an SNMPv1 GET that names one is
	// refused whole (noSuchName, with its index), as v1 agents do.
	mu       sync.Mutex
	missing  map[string]bool
	requests atomic.Int32
}

// lacks says whether the agent lacks oid.
func (a *fakeAgent) lacks(oid string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.missing[oid]
}

// lack makes the agent lack oids.
func (a *fakeAgent) lack(oids ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range oids {
		a.missing[o] = true
	}
}

func newFakeAgent(t *testing.T) *fakeAgent {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &fakeAgent{l: l, heard: make(chan struct{}, 100), missing: map[string]bool{}}
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
			a.requests.Add(1)
			resp := &gosnmp.SnmpPacket{Version: req.Version, Community: req.Community, PDUType: gosnmp.GetResponse,
				RequestID: req.RequestID}
			for i, v := range req.Variables {
				if a.lacks(v.Name) && resp.Error == gosnmp.NoError {
					resp.Error, resp.ErrorIndex = gosnmp.NoSuchName, uint8(i+1)
				}
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
	p, s := newProtocol(t, a.l.LocalAddr().String(), []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "snmp_version", Value: "v2c"}, {Key: "pollfreq", Value: "0"},
		{Key: "snmp_timeout", Value: "60"}, {Key: "snmp_retries", Value: "0"}})
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
	p, s := newProtocol(t, a.l.LocalAddr().String(), []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "pollfreq", Value: "0"}, {Key: "snmp_timeout", Value: "1"},
		{Key: "snmp_retries", Value: "0"}})
	if err := p.Connect(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Get("ups.status")
	a.silent.Store(true)
	err := p.Poll(context.Background(), s)
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
	p, s := newProtocol(b, a.l.LocalAddr().String(), []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "snmp_version", Value: "v2c"}, {Key: "pollfreq", Value: "0"}})
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
	p, s := newProtocol(t, addr, []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "community", Value: "s3cret-community"},
		{Key: "snmp_timeout", Value: "1"}, {Key: "snmp_retries", Value: "0"}})
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

// TestPrefetchV1NoSuchName: an SNMPv1 agent that lacks some OIDs refuses
// each GET naming one, with its index: the prefetch marks that OID absent
// (as its own GET would find it) and asks the rest again, instead of
// leaving the whole chunk to one GET per OID.
func TestPrefetchV1NoSuchName(t *testing.T) {
	a := newFakeAgent(t)
	p, _ := newProtocol(t, a.l.LocalAddr().String(), []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "pollfreq", Value: "0"}, {Key: "snmp_retries", Value: "0"}})
	u := p.(*Protocol)
	u.client.Context = context.Background()
	if err := u.client.Connect(); err != nil {
		t.Fatal(err)
	}
	var oids []string
	for i := 1; i <= 30; i++ {
		oids = append(oids, fmt.Sprintf(".1.3.6.1.4.1.99999.%d.0", i))
	}
	a.lack(oids[3], oids[7], oids[20])
	u.prefetch(oids)
	// 3 chunks, and one more GET for each OID the agent lacks.
	if n := a.requests.Load(); n != 6 {
		t.Errorf("%d GETs for 30 OIDs, 3 of them missing; want 6", n)
	}
	for i, oid := range oids {
		got, cached := u.cache[oid]
		switch {
		case !cached:
			t.Errorf("%s left to its own GET", oid)
		case a.lacks(oid) && got.ok:
			t.Errorf("%s (missing) answered %+v", oid, got)
		case !a.lacks(oid) && (!got.ok || got.v.Int != 1):
			t.Errorf("OID %d: %+v", i+1, got)
		}
	}
}

// TestTemplateRowsPrefetched: after the first walk, a poll of the pw
// table asks for its outlets' and sensors' rows in the prefetch's
// multi-OID GETs, not one GET each: what NUT's walk reads the same.
func TestTemplateRowsPrefetched(t *testing.T) {
	a := newFakeAgent(t)
	p, s := newProtocol(t, a.l.LocalAddr().String(), []config.Param{
		{Key: "mibs", Value: "pw"}, {Key: "snmp_version", Value: "v2c"}, {Key: "pollfreq", Value: "0"}})
	if err := p.Connect(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	eng := p.(*Protocol).eng
	oids := eng.OIDs(false)
	rows := 0
	for _, o := range oids {
		if strings.HasPrefix(o, ".1.3.6.1.4.1.534.6.8.1.") && !strings.HasSuffix(o, ".0") {
			rows++
		}
	}
	if rows == 0 {
		t.Fatalf("no sensor row in the prefetch: %v", oids)
	}
	before := a.requests.Load()
	if err := p.Poll(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// The prefetch's GETs, and the alarm table's walk (a GET, and a
	// GETNEXT this agent answers with the same OID).
	want := int32((len(oids)+prefetchChunk-1)/prefetchChunk + 2)
	if n := a.requests.Load() - before; n > want {
		t.Errorf("%d requests for a poll, want %d (%d OIDs prefetched)", n, want, len(oids))
	}
}
