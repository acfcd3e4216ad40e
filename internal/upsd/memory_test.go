package upsd_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// holdEnv makes the test binary a helper that opens connections to the
// address in it and holds them until stdin closes: 10,000 connections
// need more descriptors than one process may have with both ends in it.
const holdEnv = "SYSNUT_TEST_HOLD"

func TestMain(m *testing.M) {
	if addr := os.Getenv(holdEnv); addr != "" {
		os.Exit(hold(addr))
	}
	os.Exit(m.Run())
}

func hold(spec string) int {
	var addr string
	var n int
	if _, err := fmt.Sscanf(spec, "%s %d", &addr, &n); err != nil {
		fmt.Println(err)
		return 2
	}
	conns := make([]net.Conn, 0, n)
	for len(conns) < n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Println(err)
			return 1
		}
		conns = append(conns, c)
	}
	fmt.Println("held", len(conns))
	bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

// TestMemoryPerConnection: 10,000 idle connections cost a bounded amount
// of memory each. Quiet ones are parked (no goroutine, no read buffer):
// what is left is the socket's descriptor, the conn and its registry
// entries. (Before parking: 5.6 KiB each, mostly goroutine stacks.)
func TestMemoryPerConnection(t *testing.T) {
	needLoop(t)
	const n = 10000
	f := start(t, 1, nil)
	inUse := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse + m.StackInuse
	}
	before := inUse()

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), holdEnv+"="+f.addr+" "+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != fmt.Sprintf("held %d\n", n) {
		t.Fatalf("helper: %q", line)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.srv.NumConns() < n+1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := f.srv.NumConns(); got < n+1 {
		t.Fatalf("server holds %d connections, want %d", got, n+1)
	}
	for deadline := time.Now().Add(20 * time.Second); f.srv.NumParked() < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := f.srv.NumParked(); got < n {
		t.Fatalf("%d of %d idle connections parked", got, n)
	}
	if c := dial(t, f.addr); c.ask(t, "GET VAR test ups.status") != `VAR test ups.status "OL"` {
		t.Fatal("server unresponsive with 10,000 connections")
	}
	per := float64(inUse()-before) / n
	t.Logf("%d idle connections held: %.1f KiB of heap and stack each", n, per/1024)
	if per > 2<<10 {
		t.Errorf("%.1f KiB per idle connection, bound 2 KiB", per/1024)
	}
}
