// Package loadgen drives a NUT server with many concurrent clients and
// measures request throughput and latency: the engine of nutbench, which
// runs it against NUT's upsd and sysnut's in one run.
package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one load phase's outcome.
type Result struct {
	Requests int64
	Errors   int64
	Duration time.Duration
	Median   time.Duration
	P99      time.Duration
}

// Rate is requests per second.
func (r Result) Rate() float64 { return float64(r.Requests) / r.Duration.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("%9.0f req/s  median %7s  p99 %7s  errors %d", r.Rate(),
		r.Median.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Errors)
}

// Run keeps conns connections busy with request for d, each waiting for the
// reply before sending the next. A reply is complete at a line starting
// with done (e.g. "VAR " or "END LIST ").
func Run(ctx context.Context, addr string, conns int, d time.Duration, request, done string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg        sync.WaitGroup
		n, errs   atomic.Int64
		mu        sync.Mutex
		latencies []time.Duration
		firstErr  error
	)
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat, err := worker(ctx, addr, request, done, &n, &errs)
			mu.Lock()
			defer mu.Unlock()
			latencies = append(latencies, lat...)
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	r := Result{Requests: n.Load(), Errors: errs.Load(), Duration: time.Since(start)}
	if len(latencies) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no request completed")
		}
		return r, firstErr
	}
	slices.Sort(latencies)
	r.Median = latencies[len(latencies)/2]
	r.P99 = latencies[len(latencies)*99/100]
	return r, nil
}

// sampleEvery keeps one latency in so many, to bound memory.
const sampleEvery = 16

func worker(ctx context.Context, addr, request, done string, n, errs *atomic.Int64) ([]time.Duration, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		errs.Add(1)
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	r := bufio.NewReaderSize(c, 64<<10)
	req := []byte(request + "\n")
	var lat []time.Duration
	for i := 0; ctx.Err() == nil; i++ {
		t0 := time.Now()
		if _, err := c.Write(req); err != nil {
			break
		}
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				if ctx.Err() == nil {
					errs.Add(1)
				}
				return lat, nil
			}
			if strings.HasPrefix(string(line), "ERR ") {
				errs.Add(1)
				return lat, fmt.Errorf("server answered %q", strings.TrimSpace(string(line)))
			}
			if strings.HasPrefix(string(line), done) {
				break
			}
		}
		n.Add(1)
		if i%sampleEvery == 0 {
			lat = append(lat, time.Since(t0))
		}
	}
	return lat, nil
}

// Idle opens up to n connections that send nothing, giving up after
// within, and returns those the server kept. A sample is checked with one
// NETVER so that a server that accepts and then drops connections is not
// credited with them.
func Idle(ctx context.Context, addr string, n int, within time.Duration) ([]net.Conn, error) {
	conns := make([]net.Conn, 0, n)
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	d := net.Dialer{Timeout: 5 * time.Second}
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return conns, fmt.Errorf("only %d connections accepted within %s", len(conns), within)
		}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return conns, fmt.Errorf("after %d idle connections: %w", len(conns), err)
		}
		conns = append(conns, c)
	}
	// Ask on a sample: a server at its limit closes or never answers.
	for i := len(conns) - 1; i >= 0; i -= max(1, len(conns)/50) {
		c := conns[i]
		c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 16)
		if _, err := c.Write([]byte("NETVER\n")); err != nil {
			return conns, fmt.Errorf("idle connection %d: %w", i, err)
		}
		if _, err := c.Read(buf); err != nil {
			return conns, fmt.Errorf("idle connection %d was not served: %w", i, err)
		}
		c.SetDeadline(time.Time{})
	}
	return conns, nil
}
