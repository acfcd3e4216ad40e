// Package testrig runs, inside a test, what a site runs: a driver socket
// published by the test and our upsd serving it over TCP. Tests drive the
// UPS status, stop and restart the driver, and restart upsd the way
// systemd does under socket activation (the listening socket outlives the
// server process).
package testrig

import (
	"bufio"
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/state"
	"github.com/sysnut/sysnut/internal/upsd"
)

// Users are the accounts every rig knows: a primary and a secondary
// monitor and an administrator.
const Users = "[mon]\npassword = pass\nupsmon primary\n" +
	"[sec]\npassword = pass\nupsmon secondary\n" +
	"[admin]\npassword = secret\nactions = SET FSD\ninstcmds = ALL\n"

// Options change a rig from its defaults.
type Options struct {
	UPS    string       // the UPS's name; default "ups"
	Listen string       // TCP address; default 127.0.0.1:0
	TLS    *tls.Config  // STARTTLS
	Log    *slog.Logger // upsd's log; default discarded
}

// Rig is a driver socket and a upsd for it.
type Rig struct {
	Addr   string // upsd's address
	UPS    string
	Socket string

	t      testing.TB
	opts   Options
	ln     *net.TCPListener // held like systemd holds a .socket's listener
	status string

	recMu    sync.Mutex
	received []string

	mu         sync.Mutex
	stopDriver func()
	stopServer func()
	Server     *upsd.Server
	Publisher  *driversock.Publisher
}

// handler records what reaches the driver.
type handler struct{ r *Rig }

func (h handler) SetVar(name, value string) int {
	h.r.record("SET " + name + " " + value)
	return driversock.StatusHandled
}

func (h handler) InstCmd(cmd, param string) int {
	h.r.record(strings.TrimSpace("INSTCMD " + cmd + " " + param))
	return driversock.StatusHandled
}

func (r *Rig) record(s string) {
	r.recMu.Lock()
	r.received = append(r.received, s)
	r.recMu.Unlock()
}

// Received returns the SET and INSTCMD requests the driver got, in order.
func (r *Rig) Received() []string {
	r.recMu.Lock()
	defer r.recMu.Unlock()
	return append([]string(nil), r.received...)
}

// Start runs a driver with ups.status "OL" and a upsd for it until the
// test ends.
func Start(t testing.TB, opts Options) *Rig {
	t.Helper()
	if opts.UPS == "" {
		opts.UPS = "ups"
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	l, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		t.Fatal(err)
	}
	r := &Rig{t: t, opts: opts, UPS: opts.UPS, ln: l.(*net.TCPListener), Addr: l.Addr().String(),
		Socket: filepath.Join(t.TempDir(), "dummy-ups-"+opts.UPS), status: "OL"}
	t.Cleanup(func() {
		r.StopServer()
		r.StopDriver()
		r.ln.Close()
	})
	r.StartDriver()
	r.StartServer()
	return r
}

// SetStatus changes ups.status as the driver reports it.
func (r *Rig) SetStatus(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = s
	if r.Publisher != nil {
		r.Publisher.Update(func(u *driversock.Updater) { u.Set("ups.status", s) })
	}
}

// StartDriver publishes the UPS on its socket, as a (re)started driver.
func (r *Rig) StartDriver() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopDriver != nil {
		return
	}
	pub := driversock.NewPublisher(handler{r}, nil)
	pub.Update(func(u *driversock.Updater) {
		u.Set("ups.status", r.status)
		u.Set("device.mfr", "testrig")
		u.Set("battery.charge", "100")
		u.Set("ups.id", "rig")
		u.SetFlags("ups.id", state.RW|state.String)
		u.SetAux("ups.id", 16)
		u.AddCmd("test.battery.start")
		u.AddCmd("beeper.toggle")
	})
	pub.DataOK()
	dl, err := driversock.Listen(r.Socket)
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = pub.Serve(ctx, dl) }()
	r.Publisher = pub
	r.stopDriver = func() { cancel(); dl.Close(); <-done }
}

// StopDriver closes the driver's socket and connections, as a killed
// driver's do.
func (r *Rig) StopDriver() {
	r.mu.Lock()
	stop := r.stopDriver
	r.stopDriver, r.Publisher = nil, nil
	r.mu.Unlock()
	if stop != nil {
		stop()
		os.Remove(r.Socket)
	}
}

// StartServer runs a upsd on a duplicate of the listening socket, as
// systemd passes a .socket unit's listener to each new ups-server.service.
func (r *Rig) StartServer() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopServer != nil {
		return
	}
	f, err := r.ln.File()
	if err != nil {
		r.t.Fatal(err)
	}
	l, err := net.FileListener(f)
	f.Close()
	if err != nil {
		r.t.Fatal(err)
	}
	users, err := config.ParseUsers("upsd.users", []byte(Users))
	if err != nil {
		r.t.Fatal(err)
	}
	srv := upsd.New(upsd.Config{UPS: []upsd.UPSDef{{Name: r.UPS, Socket: r.Socket}}, Users: users, TLS: r.opts.TLS}, r.opts.Log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Run(ctx, []net.Listener{l}) }()
	r.Server = srv
	r.stopServer = func() { cancel(); <-done }
}

// StopServer stops upsd and closes its client connections; the listening
// socket stays open, so new clients wait in its backlog.
func (r *Rig) StopServer() {
	r.mu.Lock()
	stop := r.stopServer
	r.stopServer = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Ask sends req to the upsd at addr on a fresh connection, then LOGOUT, and
// returns every line upsd answered before "OK Goodbye", newlines included.
func Ask(t testing.TB, addr, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(req + "\nLOGOUT\n")); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r := bufio.NewReader(c)
	for {
		l, err := r.ReadString('\n')
		if err != nil || l == "OK Goodbye\n" {
			return b.String()
		}
		b.WriteString(l)
	}
}
