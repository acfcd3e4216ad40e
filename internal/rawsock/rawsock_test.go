package rawsock_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/rawsock"
)

// pair returns both ends of a connection over network ("tcp" or "unix"),
// the dialled end wrapped.
func pair(t *testing.T, network string) (wrapped, peer net.Conn) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	c, err := net.Dial(network, l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p := <-accepted
	if p == nil {
		t.Fatal("accept failed")
	}
	w := rawsock.Wrap(c)
	if _, ok := w.(*rawsock.Conn); !ok {
		t.Fatalf("Wrap(%T) did not wrap", c)
	}
	t.Cleanup(func() { w.Close(); p.Close() })
	return w, p
}

// What net.Conn promises its callers, through the raw calls: every byte
// in order however the kernel splits a write, io.EOF at the end, deadlines
// as timeouts, and an error for a read on a closed connection.
func TestConnBehavesAsNetConn(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			w, p := pair(t, network)

			// A write larger than the socket buffers waits for room.
			big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
			got := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(io.LimitReader(p, int64(len(big))))
				got <- b
			}()
			if n, err := w.Write(big); err != nil || n != len(big) {
				t.Fatalf("Write = %d, %v", n, err)
			}
			if b := <-got; !bytes.Equal(b, big) {
				t.Fatalf("peer read %d bytes, not what was written", len(b))
			}

			if _, err := p.Write([]byte("PONG\n")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			if n, err := w.Read(buf); err != nil || string(buf[:n]) != "PONG\n" {
				t.Fatalf("Read = %q, %v", buf[:n], err)
			}
			if n, err := w.Read(nil); n != 0 || err != nil {
				t.Fatalf("Read(nil) = %d, %v", n, err)
			}

			w.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			_, err := w.Read(buf)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Read past the deadline: %v, want a timeout", err)
			}
			w.SetReadDeadline(time.Time{})

			p.Close()
			if _, err := w.Read(buf); err != io.EOF {
				t.Fatalf("Read after the peer closed: %v, want io.EOF", err)
			}
			w.Close()
			if _, err := w.Read(buf); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("Read after Close: %v, want net.ErrClosed", err)
			}
		})
	}
}

// A Read waiting for data ends when another goroutine closes the
// connection, as upsd's shutdown and a driver's loss need.
func TestCloseEndsAWaitingRead(t *testing.T) {
	w, _ := pair(t, "unix")
	done := make(chan error, 1)
	go func() {
		_, err := w.Read(make([]byte, 8))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	w.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Read: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not end at Close")
	}
}

// A write to a peer that has gone fails with the system's error, wrapped
// as net.Conn's are.
func TestWriteToAClosedPeer(t *testing.T) {
	w, p := pair(t, "tcp")
	p.(*net.TCPConn).SetLinger(0) // reset, not a graceful close
	p.Close()
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = w.Write([]byte("GET VAR ups ups.status\n"))
		time.Sleep(time.Millisecond)
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "write" {
		t.Fatalf("Write to a reset connection: %v, want a *net.OpError from write", err)
	}
}

// A request and its reply allocate nothing.
func TestNoAllocations(t *testing.T) {
	w, p := pair(t, "unix")
	req, buf := []byte("PING\n"), make([]byte, 16)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := w.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(p, buf[:len(req)]); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Read(buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations a round trip", allocs)
	}
}

// A connection without a descriptor is returned as it is.
func TestWrapWithoutDescriptor(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if w := rawsock.Wrap(a); w != a {
		t.Errorf("Wrap(net.Pipe) = %T, want the pipe itself", w)
	}
}

// noSocket hides a connection's socket, as a TLS connection does.
type noSocket struct{ net.Conn }

// TestWriteWithin: on a rawsock.Conn, on a plain syscall.Conn and on a
// connection without a socket, WriteWithin writes all with room, gives up
// on a peer that does not read after the timeout, and leaves no deadline
// behind: a later write waits for the peer as long as it takes.
func TestWriteWithin(t *testing.T) {
	for _, kind := range []string{"raw", "syscall.Conn", "no socket"} {
		t.Run(kind, func(t *testing.T) {
			w, p := pair(t, "unix")
			switch kind {
			case "syscall.Conn":
				w = w.(*rawsock.Conn).Conn
			case "no socket":
				w = noSocket{w.(*rawsock.Conn).Conn}
			}
			if n, err := rawsock.WriteWithin(w, []byte("PONG\n"), time.Second); n != 5 || err != nil {
				t.Fatalf("WriteWithin with room = %d, %v", n, err)
			}
			buf := make([]byte, 5)
			if _, err := io.ReadFull(p, buf); err != nil || string(buf) != "PONG\n" {
				t.Fatalf("peer read %q, %v", buf, err)
			}

			big := bytes.Repeat([]byte("x"), 8<<20)
			start := time.Now()
			n, err := rawsock.WriteWithin(w, big, 50*time.Millisecond)
			if !errors.Is(err, os.ErrDeadlineExceeded) || n >= len(big) {
				t.Fatalf("WriteWithin to a peer that does not read = %d, %v; want a timeout", n, err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("gave up after %s", d)
			}

			drained := make(chan error, 1)
			go func() {
				time.Sleep(200 * time.Millisecond) // well past the timeout above
				_, err := io.Copy(io.Discard, p)
				drained <- err
			}()
			if _, err := w.Write(big); err != nil {
				t.Fatalf("a later Write failed (a deadline was left behind?): %v", err)
			}
			w.Close()
			if err := <-drained; err != nil {
				t.Fatal(err)
			}
		})
	}
}
