package driversock

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/rawsock"
	"github.com/sysnut/sysnut/internal/state"
)

// Handler carries out what upsd forwards to a driver. Each returns one of
// the Status* values, which is what a TRACKING reply reports.
type Handler interface {
	SetVar(name, value string) int
	InstCmd(name, param string) int
}

// Publisher is a driver's end of the socket: it owns the state tree and
// serves any number of upsd connections (NUT's and ours alike).
type Publisher struct {
	log     *slog.Logger
	handler Handler

	mu    sync.Mutex
	tree  *state.Tree
	stale bool
	conns map[net.Conn]struct{}
}

// NewPublisher returns a publisher with an empty tree. The data starts stale
// until the driver calls DataOK.
func NewPublisher(h Handler, log *slog.Logger) *Publisher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Publisher{log: log, handler: h, tree: state.New(), stale: true, conns: map[net.Conn]struct{}{}}
}

// Update changes the tree inside fn and broadcasts what changed. The
// Updater must not be kept after fn returns.
func (p *Publisher) Update(fn func(u *Updater)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := &Updater{t: p.tree}
	fn(u)
	if len(u.out) > 0 {
		p.broadcast(u.out)
	}
}

// DataOK and DataStale say whether the driver currently has fresh data.
func (p *Publisher) DataOK() { p.setStale(false) }

// DataStale marks the data stale, e.g. while the device does not answer.
func (p *Publisher) DataStale() { p.setStale(true) }

func (p *Publisher) setStale(s bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stale == s {
		return
	}
	p.stale = s
	if s {
		p.broadcast([]byte("DATASTALE\n"))
	} else {
		p.broadcast([]byte("DATAOK\n"))
	}
}

// Get returns a variable's value.
func (p *Publisher) Get(name string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v := p.tree.Get(name); v != nil {
		return v.Value, true
	}
	return "", false
}

// broadcast writes to every upsd; a connection that cannot keep up is
// dropped (it will reconnect and DUMPALL). p.mu is held.
func (p *Publisher) broadcast(b []byte) {
	for c := range p.conns {
		if _, err := rawsock.WriteWithin(c, b, time.Second); err != nil {
			p.log.Warn("dropping slow or gone upsd connection", "err", err)
			c.Close()
			delete(p.conns, c)
		}
	}
}

// Serve accepts upsd connections on l until ctx ends.
func (p *Publisher) Serve(ctx context.Context, l net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	stop := context.AfterFunc(ctx, func() {
		l.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
	})
	defer stop()
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c = rawsock.Wrap(c) // upsd's PINGs do not wake the runtime's monitor thread
		p.mu.Lock()
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.serveConn(c)
		}()
	}
}

// Listen creates the socket at path (replacing a stale one) with mode 0660.
func Listen(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o660); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (p *Publisher) serveConn(c net.Conn) {
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	lex := nutproto.NewLexer(nutproto.NetLimits)
	buf := make([]byte, 1024)
	for {
		n, err := c.Read(buf)
		for data := buf[:n]; len(data) > 0; {
			took, r := lex.FeedBytes(data)
			data = data[took:]
			if r == nutproto.Line {
				p.command(c, lex.Words())
			}
		}
		if err != nil {
			return
		}
	}
}

// command answers one upsd -> driver line.
func (p *Publisher) command(c net.Conn, w []string) {
	if len(w) == 0 {
		return
	}
	// write sends to this upsd; p.mu is held, so that nothing broadcast
	// can come between a dump and the state it describes.
	write := func(b []byte) {
		if _, ok := p.conns[c]; ok {
			_, _ = rawsock.WriteWithin(c, b, time.Second)
		}
	}
	reply := func(b []byte) {
		p.mu.Lock()
		defer p.mu.Unlock()
		write(b)
	}
	switch strings.ToUpper(w[0]) {
	case "DUMPALL":
		// Built and written under one lock: a DATAOK broadcast between
		// the two would reach upsd before a dump that still says
		// DATASTALE, and leave it stale until the next change.
		p.mu.Lock()
		write(AppendDump(nil, p.tree, p.stale))
		p.mu.Unlock()
	case "PING":
		reply([]byte("PONG\n"))
	case "SET", "INSTCMD":
		id := ""
		if n := len(w); n >= 4 && strings.EqualFold(w[n-2], "TRACKING") {
			id, w = w[n-1], w[:n-2]
		}
		if len(w) < 2 {
			return
		}
		var status int
		if strings.EqualFold(w[0], "SET") {
			if len(w) < 3 {
				return
			}
			status = p.handler.SetVar(w[1], w[2])
		} else {
			param := ""
			if len(w) >= 3 {
				param = w[2]
			}
			status = p.handler.InstCmd(w[1], param)
		}
		if id != "" {
			reply([]byte("TRACKING " + id + " " + strconv.Itoa(status) + "\n"))
		}
	case "LOGOUT":
		c.Close()
	}
}

// Updater edits a publisher's tree and records the lines to broadcast.
type Updater struct {
	t   *state.Tree
	out []byte
}

// Set sets a variable's value.
func (u *Updater) Set(name, value string) {
	if u.t.Set(name, value) {
		u.out = appendLine(u.out, "SETINFO", name, nutproto.Quote(value))
	}
}

// Delete removes a variable.
func (u *Updater) Delete(name string) {
	if u.t.Delete(name) {
		u.out = appendLine(u.out, "DELINFO", name)
	}
}

// SetFlags replaces a variable's flags.
func (u *Updater) SetFlags(name string, f state.Flags) {
	if u.t.SetFlags(name, f) {
		u.out = appendLine(u.out, append([]string{"SETFLAGS", name}, f.Words()...)...)
	}
}

// SetAux sets the maximum length of a string variable.
func (u *Updater) SetAux(name string, aux int) {
	if u.t.SetAux(name, aux) {
		u.out = appendLine(u.out, "SETAUX", name, strconv.Itoa(aux))
	}
}

// AddEnum adds an allowed value.
func (u *Updater) AddEnum(name, value string) {
	if u.t.AddEnum(name, value) {
		u.out = appendLine(u.out, "ADDENUM", name, nutproto.Quote(value))
	}
}

// AddRange adds an allowed range.
func (u *Updater) AddRange(name string, r state.Range) {
	if u.t.AddRange(name, r) {
		u.out = appendLine(u.out, "ADDRANGE", name, strconv.Itoa(r.Min), strconv.Itoa(r.Max))
	}
}

// AddCmd adds an instant command.
func (u *Updater) AddCmd(name string) {
	if u.t.AddCmd(name) {
		u.out = appendLine(u.out, "ADDCMD", name)
	}
}

// DeleteCmd removes an instant command.
func (u *Updater) DeleteCmd(name string) {
	if u.t.DeleteCmd(name) {
		u.out = appendLine(u.out, "DELCMD", name)
	}
}

// Get returns a variable, or nil.
func (u *Updater) Get(name string) *state.Var { return u.t.Get(name) }
