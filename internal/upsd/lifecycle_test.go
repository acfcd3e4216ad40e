package upsd_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/testlog"
	"github.com/sysnut/sysnut/internal/testrig"
	"github.com/sysnut/sysnut/internal/upsd"
)

// TestReloadBeforeRun: a reload that arrives before the server runs
// (systemctl start, then reload at once) used to leave its UPS links dead
// for good (ERR DRIVER-NOT-CONNECTED forever). Ready comes only when the
// links run.
func TestReloadBeforeRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	socket := filepath.Join(t.TempDir(), "dummy-ups-test")
	pub := driversock.NewPublisher(nopHandler{}, nil)
	pub.Update(func(u *driversock.Updater) { u.Set("ups.status", "OL") })
	pub.DataOK()
	dl, err := driversock.Listen(socket)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = pub.Serve(ctx, dl) }()
	cfg := upsd.Config{UPS: []upsd.UPSDef{{Name: "test", Socket: socket}}, Users: users(t)}
	srv := upsd.New(cfg, nil)
	srv.Reload(cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { defer wg.Done(); _ = srv.Run(ctx, []net.Listener{l}) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	select {
	case <-srv.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("never ready")
	}
	// Ready waits for the first dump: the very first request has data.
	if got := dial(t, l.Addr().String()).ask(t, "GET VAR test ups.status"); got != `VAR test ups.status "OL"` {
		t.Fatalf("after a reload before Run: %q", got)
	}
}

// failingListener returns the errors in errs, one per Accept, then blocks
// until closed.
type failingListener struct {
	net.Listener
	mu   sync.Mutex
	errs []error
	n    int
}

func (l *failingListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		l.n++
		l.mu.Unlock()
		return nil, err
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// TestAcceptErrors: shortages (ENFILE, ENOBUFS, ENOMEM, EMFILE) are
// retried and the server keeps serving; any other error ends Run with it,
// so that upsd exits non-zero and systemd restarts it, instead of living
// on without accepting.
func TestAcceptErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		errs  []error
		fatal bool
	}{
		{"shortages are retried", []error{syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.EMFILE}, false},
		{"a broken listener ends Run", []error{syscall.EINVAL}, true},
		{"a listener closed under the server ends Run", []error{net.ErrClosed}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inner, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			l := &failingListener{Listener: inner, errs: tt.errs}
			srv := upsd.New(upsd.Config{Users: users(t)}, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- srv.Run(ctx, []net.Listener{l}) }()
			if tt.fatal {
				select {
				case err := <-done:
					if err == nil || !errors.Is(err, tt.errs[0]) {
						t.Errorf("Run returned %v, want %v", err, tt.errs[0])
					}
				case <-time.After(10 * time.Second):
					t.Fatal("Run goes on after a fatal accept error")
				}
				return
			}
			if got := dial(t, inner.Addr().String()).ask(t, "VER"); got == "" {
				t.Error("no answer after transient accept errors")
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
}

// TestCheckReload: the check before a reload reports a broken file with
// its line. (cmd/upsd's TestReloadSkipsUnreadableSecrets runs it as
// another user to check that a secret it may not read is skipped.)
func TestCheckReload(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ups.conf"), []byte("[a]\n driver = dummy-ups\n port = a.dev\n"), 0o644)
	if err := upsd.CheckReload(dir); err != nil {
		t.Errorf("a good configuration failed the check: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "upsd.conf"), []byte("BOGUS 1\n"), 0o644)
	if err := upsd.CheckReload(dir); err == nil || !strings.Contains(err.Error(), "upsd.conf:1: unknown directive") {
		t.Errorf("a broken upsd.conf: %v", err)
	}
}

// TestOneBadSectionStartsTheOthers: a starting upsd serves the UPSes of
// ups.conf it can use despite errors elsewhere (NUT warns and carries on),
// logging each; a reload, -t and the reload check still refuse the file.
func TestOneBadSectionStartsTheOthers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ups.conf"), []byte("[good]\n driver = dummy-ups\n port = a.dev\n\n"+
		"[nodriver]\n port = b.dev\n\n[also]\n driver = dummy-ups\n port = c.dev\n pollinterval = soon\n\n[good]\n driver = dummy-ups\n port = d.dev\n"), 0o644)
	var logs testlog.Buffer
	f, err := upsd.LoadFilesAtStart(dir, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range f.UPS.UPS {
		names = append(names, u.Name+"="+u.Port)
	}
	if got := strings.Join(names, " "); got != "good=a.dev also=c.dev" || f.Skipped == nil {
		t.Errorf("served %q (skipped: %v)", got, f.Skipped)
	}
	for _, want := range []string{`UPS \"nodriver\" has no driver`, "pollinterval", `UPS \"good\" already defined`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if _, err := upsd.LoadFiles(dir, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("LoadFiles (reload) accepted the broken ups.conf")
	}
	if err := upsd.CheckReload(dir); err == nil {
		t.Error("the reload check accepted the broken ups.conf")
	}
}

// TestStopClosesClientsBeforeDrivers: a upsd on its way out closes its
// listeners, then its clients, then its driver links, so that a client
// busy polling sees its connection end (and reconnects to the next upsd,
// which socket activation hands the same socket) and never a
// DRIVER-NOT-CONNECTED from the old one; a client that connects meanwhile
// waits in the backlog for the next upsd rather than being taken in and
// dropped.
func TestStopClosesClientsBeforeDrivers(t *testing.T) {
	t.Parallel()
	for round := 0; round < 5; round++ {
		rig := testrig.Start(t, testrig.Options{})
		var wg sync.WaitGroup
		bad := make(chan string, 8)
		for i := 0; i < 4; i++ {
			c, err := net.Dial("tcp", rig.Addr)
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					if _, err := c.Write([]byte("GET VAR ups ups.status\n")); err != nil {
						return
					}
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if line != "VAR ups ups.status \"OL\"\n" {
						bad <- line
						return
					}
				}
			}()
		}
		time.Sleep(20 * time.Millisecond)
		rig.StopServer()
		wg.Wait()
		select {
		case line := <-bad:
			t.Fatalf("round %d: a polling client was answered %q by a upsd on its way out", round, line)
		default:
		}
		late, err := net.Dial("tcp", rig.Addr)
		if err != nil {
			t.Fatal(err)
		}
		late.Write([]byte("GET VAR ups ups.status\n"))
		rig.StartServer()
		late.SetReadDeadline(time.Now().Add(5 * time.Second))
		if line, err := bufio.NewReader(late).ReadString('\n'); err != nil || line != "VAR ups ups.status \"OL\"\n" {
			t.Fatalf("round %d: a client that came between two upsds: %q %v", round, line, err)
		}
		late.Close()
	}
}
