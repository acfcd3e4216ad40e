package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// RSS is a process's resident set size in bytes, from /proc; 0 if unknown.
func RSS(pid int) int64 { return procKB(pid, "status", "VmRSS:") }

// PSS is a process's proportional set size in bytes (shared pages split
// between the processes that map them), from /proc; 0 if unknown.
func PSS(pid int) int64 { return procKB(pid, "smaps_rollup", "Pss:") }

// RSSFile and RSSAnon split RSS into pages of mapped files (the program,
// its libraries) and anonymous memory (heap, stacks), in bytes.
func RSSFile(pid int) int64 { return procKB(pid, "status", "RssFile:") }

// RSSAnon is the anonymous part of RSS; see RSSFile.
func RSSAnon(pid int) int64 { return procKB(pid, "status", "RssAnon:") }

// procKB reads the "key  N kB" line of /proc/pid/file, in bytes.
func procKB(pid int, file, key string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// NewClient times what a newcomer waits for during an attack: connect, one
// GET VAR of ups.status, its reply. A server that does not answer within
// 5 s has failed it.
func NewClient(addr, ups string) (time.Duration, error) {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_ = c.SetDeadline(start.Add(5 * time.Second))
	if _, err := fmt.Fprintf(c, "GET VAR %s ups.status\n", ups); err != nil {
		return 0, err
	}
	l, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(l, "VAR ") {
		return 0, fmt.Errorf("answered %q", strings.TrimSpace(l))
	}
	return time.Since(start), nil
}

// NeverRead opens clients connections that each send request over and
// over without reading a reply, until ctx ends; then it closes them.
func NeverRead(ctx context.Context, addr string, clients int, request string) {
	payload := []byte(strings.Repeat(request+"\n", max(1, 4096/(len(request)+1))))
	var wg sync.WaitGroup
	for range clients {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			for ctx.Err() == nil {
				// A short deadline: once the server stops reading, the
				// write blocks, and the loop must still see ctx end.
				_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
				if _, err := c.Write(payload); err != nil && !isTimeout(err) {
					return
				}
			}
		}()
	}
	<-ctx.Done()
	wg.Wait()
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// Guess logs in as user with wrong passwords from rotating loopback
// addresses (127.0.x.y), a connection per guess, as fast as the server
// answers, until ctx ends; it returns how many guesses were answered
// ACCESS-DENIED, i.e. checked.
func Guess(ctx context.Context, addr, ups, user string, workers int) int64 {
	var checked atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				d := net.Dialer{Timeout: time.Second,
					LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(w+1), byte(i%250+2))}}
				c, err := d.DialContext(ctx, "tcp", addr)
				if err != nil {
					continue
				}
				_ = c.SetDeadline(time.Now().Add(2 * time.Second))
				fmt.Fprintf(c, "USERNAME %s\nPASSWORD guess%d-%d\nLOGIN %s\n", user, w, i, ups)
				r := bufio.NewReader(c)
				for range 3 {
					if l, err := r.ReadString('\n'); err == nil && l == "ERR ACCESS-DENIED\n" {
						checked.Add(1)
					}
				}
				c.Close()
			}
		}()
	}
	wg.Wait()
	return checked.Load()
}

// HostileDriver serves a driver socket the way a broken or malicious
// driver might: a normal dump first, then whatever Send is given, to every
// upsd connected (NUT's and sysnut's alike read the same socket).
type HostileDriver struct {
	l    net.Listener
	dump []byte

	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// NewHostileDriver listens on path. Its dump has vars variables of 255
// characters, NUT's longest value, and ups.status OL.
func NewHostileDriver(path string, vars int) (*HostileDriver, error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o777); err != nil {
		l.Close()
		return nil, err
	}
	var b strings.Builder
	b.WriteString("SETINFO ups.status \"OL\"\n")
	long := strings.Repeat("v", 255)
	for i := range vars {
		fmt.Fprintf(&b, "SETINFO test.long%04d \"%s\"\n", i, long)
	}
	b.WriteString("DATAOK\nDUMPDONE\n")
	h := &HostileDriver{l: l, dump: []byte(b.String()), conns: map[net.Conn]bool{}}
	h.wg.Add(1)
	go h.accept()
	return h, nil
}

func (h *HostileDriver) accept() {
	defer h.wg.Done()
	for {
		c, err := h.l.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		h.conns[c] = true
		h.mu.Unlock()
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			r := bufio.NewReader(c)
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					break
				}
				switch strings.TrimSpace(l) {
				case "DUMPALL":
					h.write(c, h.dump)
				case "PING":
					h.write(c, []byte("PONG\n"))
				}
			}
			h.mu.Lock()
			delete(h.conns, c)
			h.mu.Unlock()
			c.Close()
		}()
	}
}

func (h *HostileDriver) write(c net.Conn, b []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, _ = c.Write(b)
}

// Connected is how many servers are connected.
func (h *HostileDriver) Connected() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// Send writes prefix, then n bytes of pattern repeated, then suffix to
// every connected server, all at once (each server reads at its pace).
func (h *HostileDriver) Send(prefix, pattern string, n int, suffix string) {
	h.mu.Lock()
	conns := make([]net.Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	chunk := []byte(strings.Repeat(pattern, max(1, (64<<10)/len(pattern))))
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
			w := io.Writer(c)
			io.WriteString(w, prefix)
			for sent := 0; sent < n; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			io.WriteString(w, suffix)
		}()
	}
	wg.Wait()
}

// Close stops serving and waits for the connections to end.
func (h *HostileDriver) Close() {
	h.l.Close()
	h.mu.Lock()
	for c := range h.conns {
		c.Close()
	}
	h.mu.Unlock()
	h.wg.Wait()
}
