package nutref

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/sysnut/sysnut/internal/testlog"
)

// ErrNoSNMPAgent means Debian's SNMP agent simulator is not installed.
var ErrNoSNMPAgent = fmt.Errorf("snmpsimd is not installed (apt-get install snmpsim)")

// SNMPAgent is Debian's snmpsimd on loopback, serving one recording
// (OID|TYPE|VALUE lines) as community "public": the agent NUT's
// snmp-ups and sysnut's read side by side.
type SNMPAgent struct {
	Port int
	dir  string
	cmd  *exec.Cmd
	log  *testlog.Buffer
}

// StartSNMPAgent starts snmpsimd serving recording and waits until it
// answers. snmpsimd refuses to run as root: then it drops to nobody, so
// its files are made readable (and its cache writable) by all.
func StartSNMPAgent(recording []byte) (*SNMPAgent, error) {
	simd, err := exec.LookPath("snmpsimd")
	if err != nil {
		return nil, ErrNoSNMPAgent
	}
	dir, err := os.MkdirTemp("", "snmpsim")
	if err != nil {
		return nil, err
	}
	a := &SNMPAgent{dir: dir, log: &testlog.Buffer{}}
	cache := filepath.Join(dir, "cache")
	if err := a.prepare(recording, cache); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := []string{"--data-dir=" + dir, "--cache-dir=" + cache, "--logging-method=stderr",
		"--agent-udpv4-endpoint=127.0.0.1:" + strconv.Itoa(a.Port)}
	if os.Geteuid() == 0 {
		args = append(args, "--process-user=nobody", "--process-group=nogroup")
	}
	a.cmd = exec.Command(simd, args...)
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	if err := a.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: uint16(a.Port), Community: "public", Version: gosnmp.Version2c}
	if err := WaitSNMP(c, "1.3.6.1.2.1.1.1.0", gosnmp.OctetString); err != nil {
		a.Stop()
		return nil, fmt.Errorf("snmpsimd: %w\n%s", err, a.log.String())
	}
	return a, nil
}

// prepare writes the recording and a cache directory for snmpsimd, open
// to the user it drops to, and picks the agent's port.
func (a *SNMPAgent) prepare(recording []byte, cache string) error {
	if err := os.WriteFile(filepath.Join(a.dir, "public.snmprec"), recording, 0o644); err != nil {
		return err
	}
	if err := os.Mkdir(cache, 0o777); err != nil {
		return err
	}
	for _, d := range []string{a.dir, cache} {
		if err := os.Chmod(d, 0o777); err != nil { // past the umask
			return err
		}
	}
	var err error
	a.Port, err = FreeUDPPort()
	return err
}

// Stop ends the agent and removes its files.
func (a *SNMPAgent) Stop() {
	_ = a.cmd.Process.Kill()
	_ = a.cmd.Wait()
	os.RemoveAll(a.dir)
}

// WaitSNMP asks the agent c names for oid until it answers with that
// type, for up to 20 s (an agent indexes its data before it answers).
func WaitSNMP(c *gosnmp.GoSNMP, oid string, typ gosnmp.Asn1BER) error {
	c.Timeout, c.Retries = 200*time.Millisecond, 0
	if err := c.Connect(); err != nil {
		return err
	}
	defer c.Conn.Close()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r, err := c.Get([]string{oid}); err == nil && len(r.Variables) == 1 && r.Variables[0].Type == typ {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer for %s from %s:%d in 20 s", oid, c.Target, c.Port)
		}
	}
}

// FreeUDPPort is a UDP port on 127.0.0.1 that nothing uses right now.
func FreeUDPPort() (int, error) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.LocalAddr().(*net.UDPAddr).Port, nil
}
