// Package webserve runs sysnut's small read-only web services
// (ups-metrics, ups-dashboard) on the sockets systemd passes, or on
// addresses of their own outside systemd.
package webserve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
)

// Serve answers h on every listener until ctx ends.
func Serve(ctx context.Context, ls []net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	errs := make(chan error, len(ls))
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
				errs <- err
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	wg.Wait()
	return err
}

// Listeners returns the sockets systemd passed (socket activation) or,
// when it passed none, listens on addrs.
func Listeners(addrs []string) ([]net.Listener, error) {
	ls, err := activation.Listeners()
	if err != nil || len(ls) > 0 {
		return ls, err
	}
	for _, a := range addrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			for _, o := range ls {
				o.Close()
			}
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, nil
}
