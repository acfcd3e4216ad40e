package upsd_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// benchLoop runs request over one connection per parallel goroutine until
// the reply line starting with done.
func benchLoop(b *testing.B, request, done string) {
	f := start(b, 16, nil)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", f.addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		req := []byte(request + "\n")
		for pb.Next() {
			if _, err := c.Write(req); err != nil {
				b.Error(err)
				return
			}
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					b.Error(err)
					return
				}
				if strings.HasPrefix(string(line), done) {
					break
				}
			}
		}
	})
}

// BenchmarkGetVar measures GET VAR round trips over loopback.
func BenchmarkGetVar(b *testing.B) { benchLoop(b, "GET VAR test ups.status", "VAR ") }

// BenchmarkListVar measures LIST VAR of a 17-variable UPS over loopback.
func BenchmarkListVar(b *testing.B) { benchLoop(b, "LIST VAR test", "END LIST") }
