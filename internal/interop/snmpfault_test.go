package interop

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/registry"
	"github.com/sysnut/sysnut/internal/nutref"
	"github.com/sysnut/sysnut/internal/testlog"
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

// snmpdV3 runs Net-SNMP's snmpd on loopback as an SNMPv3 agent with two
// users (authuser: SHA, authNoPriv; privuser: SHA and AES, authPriv),
// proxying the UPS-MIB to the agent on port (snmpsimd, which only tells
// its recordings apart by a v3 context name, and NUT has no option for
// one). It returns snmpd's port.
func snmpdV3(t *testing.T, port int) int {
	t.Helper()
	snmpd, err := exec.LookPath("snmpd")
	if err != nil {
		if _, err = os.Stat("/usr/sbin/snmpd"); err != nil {
			if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
				t.Fatal("SYSNUT_REQUIRE_NUT=1 but snmpd is missing (apt-get install snmpd)")
			}
			t.Skip("snmpd is not installed (apt-get install snmpd)")
		}
		snmpd = "/usr/sbin/snmpd"
	}
	own, err := nutref.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := fmt.Sprintf(`agentAddress udp:127.0.0.1:%d
createUser authuser SHA "auth-secret-1"
createUser privuser SHA "auth-secret-1" AES "priv-secret-1"
rouser authuser auth
rouser privuser priv
proxy -v 2c -c public 127.0.0.1:%d .1.3.6.1.2.1.33
`, own, port)
	if err := os.WriteFile(filepath.Join(dir, "snmpd.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(snmpd, "-f", "-Lo", "-C", "-c", filepath.Join(dir, "snmpd.conf"), "-p", filepath.Join(dir, "pid"), "-I", "-smux")
	cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+filepath.Join(dir, "persist"), "MIBS=", "MIBDIRS="+dir)
	var log testlog.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: uint16(own), Version: gosnmp.Version3,
		SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.AuthNoPriv,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: "authuser", AuthenticationProtocol: gosnmp.SHA,
			AuthenticationPassphrase: "auth-secret-1"}}
	if err := nutref.WaitSNMP(c, "1.3.6.1.2.1.33.1.2.4.0", gosnmp.Integer); err != nil {
		t.Fatalf("snmpd for snmpsimd: %v\n%s", err, log.String())
	}
	return own
}

// TestSNMPv3AsNUT: NUT's snmp-ups and ours read a real SNMPv3 agent
// (Net-SNMP's snmpd) as an authNoPriv and an authPriv user and NUT's
// clients see the same UPS; with a wrong pass phrase both serve no data
// and ours says why, once.
func TestSNMPv3AsNUT(t *testing.T) {
	requireNUTSNMP(t)
	port := snmpdV3(t, snmpAgent(t, filepath.Join("testdata/snmp", "ietf-ol.snmprec"), false))
	for _, tc := range []struct{ name, section string }{
		{"authNoPriv", " secLevel = authNoPriv\n secName = authuser\n authProtocol = SHA\n authPassword = auth-secret-1\n"},
		{"authPriv", " secLevel = authPriv\n secName = privuser\n authProtocol = SHA\n authPassword = auth-secret-1\n" +
			" privProtocol = AES\n privPassword = priv-secret-1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			section := fmt.Sprintf(" driver = snmp-ups\n port = 127.0.0.1:%d\n snmp_version = v3\n mibs = ietf\n pollfreq = 2\n%s", port, tc.section)
			p := startDriverPair(t, "snmp-ups", section, section)
			if out := p.both([]string{"upsc", "UPS@ADDR", "battery.charge"}); out[1] != "97\n" {
				t.Errorf("upsc battery.charge: %q", out)
			}
			p.compare()
		})
	}
}

// A wrong SNMPv3 pass phrase is named as such by our driver.
func TestSNMPv3WrongPassPhrase(t *testing.T) {
	port := snmpdV3(t, snmpAgent(t, filepath.Join("testdata/snmp", "ietf-ol.snmprec"), false))
	ups := &config.UPS{Name: "net", Driver: "snmp-ups", Port: fmt.Sprintf("127.0.0.1:%d", port), Params: []config.Param{
		{Key: "mibs", Value: "ietf"}, {Key: "snmp_version", Value: "v3"}, {Key: "secLevel", Value: "authNoPriv"},
		{Key: "secName", Value: "authuser"}, {Key: "authProtocol", Value: "SHA"}, {Key: "authPassword", Value: "not-the-secret"},
		{Key: "snmp_timeout", Value: "1"}, {Key: "snmp_retries", Value: "0"}}}
	e, _ := registry.Lookup("snmp-ups")
	p, err := e.New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	err = p.Connect(context.Background(), driver.NewTestState(p, ups))
	if want := `refuses the credentials of SNMPv3 user "authuser"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Connect with a wrong authPassword: %v, want %q", err, want)
	}
}
