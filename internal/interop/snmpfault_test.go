package interop

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Modes of an agentProxy.
const (
	proxyForward = iota // the agent answers
	proxyDrop           // the agent is silent
	proxyGarbage        // something answers, but not SNMP
)

// agentProxy stands between the drivers and an SNMP agent on loopback,
// so that a test can make the agent go silent or answer garbage and then
// come back, for every driver at once.
type agentProxy struct {
	mode  atomic.Int32
	l     net.PacketConn
	agent *net.UDPAddr

	mu       sync.Mutex
	upstream map[string]*net.UDPConn // per driver address
	wg       sync.WaitGroup
}

// newAgentProxy relays to the agent on port and returns the proxy's port.
func newAgentProxy(t *testing.T, port int) (*agentProxy, int) {
	t.Helper()
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &agentProxy{l: l, agent: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, upstream: map[string]*net.UDPConn{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		l.Close()
		p.mu.Lock()
		for _, c := range p.upstream {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p, l.LocalAddr().(*net.UDPAddr).Port
}

func (p *agentProxy) serve() {
	defer p.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := p.l.ReadFrom(buf)
		if err != nil {
			return
		}
		switch p.mode.Load() {
		case proxyDrop:
		case proxyGarbage:
			// A datagram that starts like a BER SEQUENCE and then is not.
			p.l.WriteTo([]byte("\x30\x82\xff\xffnot an SNMP message"), from)
		default:
			if up := p.conn(from); up != nil {
				up.Write(buf[:n])
			}
		}
	}
}

// conn is the upstream socket of one driver, whose answers go back to it.
func (p *agentProxy) conn(from net.Addr) *net.UDPConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.upstream[from.String()]; ok {
		return c
	}
	c, err := net.DialUDP("udp", nil, p.agent)
	if err != nil {
		return nil
	}
	p.upstream[from.String()] = c
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 65536)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if p.mode.Load() == proxyForward {
				p.l.WriteTo(buf[:n], from)
			}
		}
	}()
	return c
}

// TestSNMPAgentFaultsAsNUT: NUT's snmp-ups and ours read one agent
// through a proxy that makes it go silent, come back, answer garbage and
// come back again. Both drivers' data must go stale and recover; ours no
// later than NUT's, and with the problem logged once, not at every try.
func TestSNMPAgentFaultsAsNUT(t *testing.T) {
	requireNUTSNMP(t)
	t.Parallel()
	proxy, port := newAgentProxy(t, snmpAgent(t, filepath.Join("testdata/snmp", "ietf-ol.snmprec"), false))
	section := fmt.Sprintf(" driver = snmp-ups\n port = 127.0.0.1:%d\n community = public\n snmp_version = v2c\n mibs = ietf\n"+
		" pollfreq = 2\n snmp_timeout = 1\n snmp_retries = 1\n", port)
	p := startDriverPair(t, "snmp-ups", section, section)
	p.compare()

	// stale waits until upsc says the data of both is stale (want) or
	// served again, and returns when each got there.
	stale := func(want bool, what string) map[string]time.Duration {
		start := time.Now()
		at := map[string]time.Duration{}
		for deadline := start.Add(3 * time.Minute); len(at) < 2; time.Sleep(200 * time.Millisecond) {
			out := p.both([]string{"upsc", "UPS@ADDR", "ups.status"})
			for i, ups := range []string{"theirs", "ours"} {
				if _, seen := at[ups]; !seen && strings.Contains(out[i], "Data stale") == want {
					at[ups] = time.Since(start)
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: after 3 minutes only %v (upsc: %q)", what, at, out)
			}
		}
		t.Logf("%s: NUT's snmp-ups after %v, ours after %v", what, at["theirs"].Round(time.Second), at["ours"].Round(time.Second))
		return at
	}
	for _, c := range []struct {
		what string
		mode int32
	}{{"silent agent", proxyDrop}, {"agent answering garbage", proxyGarbage}} {
		proxy.mode.Store(c.mode)
		at := stale(true, c.what)
		// Ours notices within one walk (pollfreq + one timeout with its
		// retry); NUT's only when its upsd gives up waiting (MAXAGE).
		if at["ours"] > at["theirs"]+time.Second {
			t.Errorf("%s: NUT's data went stale after %v, ours only after %v", c.what, at["theirs"], at["ours"])
		}
		// Through a few reconnection attempts, each failing the same way.
		time.Sleep(12 * time.Second)
		proxy.mode.Store(proxyForward)
		stale(false, c.what+" back")
		p.compare()
	}
	// Once as the poll loses the agent, once as reconnecting fails; not
	// at every attempt.
	log := p.log.String()
	if n := strings.Count(log, "lost the UPS"); n != 2 {
		t.Errorf("the lost agent was logged %d times, want once per fault:\n%s", n, log)
	}
	if n := strings.Count(log, "cannot connect to the UPS"); n != 2 {
		t.Errorf("failing reconnections were logged %d times, want once per fault:\n%s", n, log)
	}
}

// requireNUTSNMP skips (or fails, where NUT is required) without NUT's
// snmp-ups.
func requireNUTSNMP(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/lib/nut/snmp-ups"); err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatal("SYSNUT_REQUIRE_NUT=1 but NUT's snmp-ups is missing (apt-get install nut-snmp)")
		}
		t.Skip("NUT's snmp-ups is not installed (apt-get install nut-snmp)")
	}
}
