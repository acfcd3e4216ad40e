package upsmon

import (
	"context"
	"errors"
	"sync"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
)

// pushes are the Runner's WATCH connections: one per UPS whose server is
// sysnut's upsd, each read by a goroutine that wakes the Runner when a
// status is pushed, so that it polls at once instead of at POLLFREQ. The
// polls themselves are unchanged: a push only moves the next one earlier,
// and every decision is still taken on what GET VAR answers. NUT's upsd
// does not know WATCH; those UPSes are polled as NUT's upsmon polls them.
type pushes struct {
	wake        chan struct{} // capacity 1: pushes coalesce until the Runner polls
	conns       map[*UPS]*pushConn
	unsupported map[*UPS]bool   // the server answered UNKNOWN-COMMAND
	failed      map[*UPS]string // the last failure to WATCH logged
	wg          sync.WaitGroup
}

// pushConn is one WATCH connection; done is closed when its reader ends.
type pushConn struct {
	c    *nutclient.Client
	done chan struct{}
}

func (p *pushes) init() {
	*p = pushes{wake: make(chan struct{}, 1), conns: map[*UPS]*pushConn{},
		unsupported: map[*UPS]bool{}, failed: map[*UPS]string{}}
}

// stop closes every WATCH connection and waits for the readers.
func (p *pushes) stop() {
	for u := range p.conns {
		p.forget(u)
	}
	p.wg.Wait()
}

// forget closes u's WATCH connection, if any, and what was learned about
// its server: a reload may have pointed u elsewhere.
func (p *pushes) forget(u *UPS) {
	if pc := p.conns[u]; pc != nil {
		pc.c.Close()
	}
	delete(p.conns, u)
	delete(p.unsupported, u)
	delete(p.failed, u)
}

// signal wakes the Runner; it never blocks.
func (p *pushes) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// watch makes sure u's server pushes its status changes, after a poll
// that read polled from it: it opens a WATCH connection unless one is
// running or the server does not know WATCH. The connection
// authenticates as the monitor does, so that upsd never closes it to make
// room for others.
func (r *Runner) watch(ctx context.Context, u *UPS, polled string) {
	p := &r.push
	if pc := p.conns[u]; pc != nil {
		select {
		case <-pc.done: // lost (upsd restarted?): open another
			delete(p.conns, u)
		default:
			return
		}
	}
	if p.unsupported[u] {
		return
	}
	c, err := r.dial(ctx, u)
	if err == nil {
		err = c.Watch(u.Conf.UPS)
	}
	if err != nil {
		if c != nil {
			c.Close()
		}
		var pe *nutproto.Error
		if errors.As(err, &pe) && pe.Code == nutproto.ErrUnknownCommand {
			p.unsupported[u] = true
			r.Log.Info("upsd does not push status changes (NUT's upsd): polled every POLLFREQ", "ups", u.System)
			return
		}
		if msg := err.Error(); p.failed[u] != msg {
			p.failed[u] = msg
			r.Log.Warn("cannot watch for status changes; polled every POLLFREQ until it can", "ups", u.System, "err", err)
		}
		return
	}
	delete(p.failed, u)
	pc := &pushConn{c: c, done: make(chan struct{})}
	p.conns[u] = pc
	p.wg.Go(func() {
		// A lost connection wakes the Runner too: its poll finds a
		// restarted upsd (and watches it again) or a dead one at once.
		// done is closed before the wake-up (defers run last first), so
		// that the poll it causes sees this connection gone.
		defer p.signal()
		defer close(pc.done)
		// The first line is the status when WATCH was taken: news only if
		// it changed since the poll. It is read here, not before the
		// Runner goes on, since upsd sends none while a driver's dump is
		// under way and the Runner must never wait for it.
		first := true
		for {
			st, err := c.Next()
			if err != nil {
				return
			}
			if !first || st.Err != nil || st.Value != polled {
				p.signal()
			}
			first = false
		}
	})
	r.Log.Info("upsd pushes status changes: acting on them at once", "ups", u.System)
}
