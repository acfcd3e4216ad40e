// Package nutref runs NUT's own programs (Debian's nut-server and
// nut-client, NUT 2.8.0) beside sysnut, for the differential tests and the
// benchmark that compare the two on the same data.
package nutref

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotInstalled means NUT's programs are not on this machine.
var ErrNotInstalled = errors.New("NUT 2.8 is not installed (apt-get install nut-server nut-client python3-nut)")

// Binaries are the paths of NUT's programs.
type Binaries struct {
	DummyUPS, Upsd      string
	Upsc, Upscmd, Upsrw string
	Upsmon              string // the real program, not Debian's nut.conf wrapper
	Python              string // a python3 that can import PyNUT
}

// Find locates NUT's programs where Debian installs them.
func Find() (*Binaries, error) {
	b := &Binaries{}
	first := func(cands ...string) string {
		for _, c := range cands {
			if st, err := os.Stat(c); err == nil && !st.IsDir() {
				return c
			}
		}
		return ""
	}
	b.DummyUPS = first("/lib/nut/dummy-ups", "/usr/lib/nut/dummy-ups")
	b.Upsd = first("/lib/nut/upsd", "/usr/lib/nut/upsd", "/usr/sbin/upsd")
	b.Upsc = first("/bin/upsc", "/usr/bin/upsc")
	b.Upscmd = first("/bin/upscmd", "/usr/bin/upscmd")
	b.Upsrw = first("/bin/upsrw", "/usr/bin/upsrw")
	b.Upsmon = first("/lib/nut/upsmon", "/usr/lib/nut/upsmon")
	b.Python = first("/usr/bin/python3")
	if b.DummyUPS == "" || b.Upsd == "" || b.Upsc == "" || b.Upscmd == "" || b.Upsrw == "" || b.Upsmon == "" {
		return nil, ErrNotInstalled
	}
	return b, nil
}

// Site is a NUT configuration and state directory with running programs.
type Site struct {
	Bin      *Binaries
	ConfDir  string
	StateDir string
	// ExtraEnv is added to the environment of the programs started next.
	ExtraEnv []string
	procs    []*exec.Cmd
	logs     []*bytes.Buffer
	held     []net.Conn // connections to drivers, closed by Stop
}

// NewSite prepares dir/etc and dir/state. Files maps names under etc to
// their contents (ups.conf, upsd.conf, upsd.users, *.dev).
func NewSite(bin *Binaries, dir string, files map[string]string) (*Site, error) {
	s := &Site{Bin: bin, ConfDir: filepath.Join(dir, "etc"), StateDir: filepath.Join(dir, "state")}
	for _, d := range []string{s.ConfDir, s.StateDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	// NUT refuses a world-readable upsd.users only with a warning, but its
	// drivers and upsd drop privileges: keep the state dir usable by them.
	if err := os.Chmod(s.StateDir, 0o777); err != nil {
		return nil, err
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(s.ConfDir, name), []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Env is the environment NUT's programs run with on this site.
func (s *Site) Env() []string {
	env := append(os.Environ(), "NUT_CONFPATH="+s.ConfDir, "NUT_STATEPATH="+s.StateDir)
	return append(env, s.ExtraEnv...)
}

// userArgs makes NUT's daemons run as the current user instead of "nut".
func userArgs() []string {
	u, err := user.Current()
	if err != nil {
		return nil
	}
	return []string{"-u", u.Username}
}

// start runs a NUT daemon in the foreground (-F) and records it for Stop.
func (s *Site) start(path string, args ...string) error {
	args = append(append([]string{"-F"}, userArgs()...), args...)
	cmd := exec.Command(path, args...)
	cmd.Env = s.Env()
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return err
	}
	s.procs = append(s.procs, cmd)
	s.logs = append(s.logs, &log)
	return nil
}

// StartDummy starts NUT's dummy-ups for [ups] and waits for its socket.
func (s *Site) StartDummy(ctx context.Context, ups string) error {
	return s.StartDriver(ctx, "dummy-ups", ups)
}

// StartDriver starts NUT's driver program name (as ups.conf's driver =
// names it, e.g. nutdrv_qx) for [ups] and waits for its socket.
func (s *Site) StartDriver(ctx context.Context, name, ups string) error {
	path := filepath.Join(filepath.Dir(s.Bin.DummyUPS), name)
	if err := s.start(path, "-a", ups); err != nil {
		return err
	}
	sock := filepath.Join(s.StateDir, name+"-"+ups)
	return waitFor(ctx, func() bool {
		c, err := net.Dial("unix", sock)
		if err != nil {
			return false
		}
		// NUT 2.8.0's drivers may crash when a client they have not read
		// from yet is gone at their next broadcast (send_to_all frees
		// the connection it is walking): keep this one open, read, until
		// Stop.
		s.held = append(s.held, c)
		go func() { _, _ = io.Copy(io.Discard, c) }()
		return true
	}, func() string { return s.Logs() })
}

// KillPower runs NUT's driver name for [ups] with -k (upsdrv_shutdown)
// and returns what it printed.
func (s *Site) KillPower(ctx context.Context, name, ups string) (string, error) {
	args := append(userArgs(), "-a", ups, "-k")
	cmd := exec.CommandContext(ctx, filepath.Join(filepath.Dir(s.Bin.DummyUPS), name), args...)
	cmd.Env = s.Env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// StartUpsd starts NUT's upsd and waits until port answers.
func (s *Site) StartUpsd(ctx context.Context, port int) error {
	if err := s.start(s.Bin.Upsd); err != nil {
		return err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return waitFor(ctx, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, func() string { return s.Logs() })
}

// Logs returns what NUT's programs printed.
func (s *Site) Logs() string {
	var b strings.Builder
	for i, l := range s.logs {
		fmt.Fprintf(&b, "--- %s\n%s", filepath.Base(s.procs[i].Path), l.String())
	}
	return b.String()
}

// Stop terminates every program of the site and waits for them.
func (s *Site) Stop() {
	for _, c := range s.held {
		c.Close()
	}
	s.held = nil
	// All at once, with one deadline: a site may run a hundred drivers,
	// each of which may sit out its walk before it looks at the signal.
	done := make([]chan struct{}, len(s.procs))
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		_ = p.Process.Signal(os.Interrupt)
		done[i] = make(chan struct{})
		go func() { _ = p.Wait(); close(done[i]) }()
	}
	deadline := time.NewTimer(3 * time.Second)
	defer deadline.Stop()
	expired := false
	for i := len(s.procs) - 1; i >= 0; i-- {
		if !expired {
			select {
			case <-done[i]:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		_ = s.procs[i].Process.Kill()
		<-done[i]
	}
	s.procs = nil
}

func waitFor(ctx context.Context, ok func() bool, logs func() string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("NUT program did not come up: %w\n%s", ctx.Err(), logs())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Pid returns the process id of the first running program called name
// (e.g. "upsd"), or 0.
func (s *Site) Pid(name string) int {
	for _, p := range s.procs {
		if filepath.Base(p.Path) == name {
			return p.Process.Pid
		}
	}
	return 0
}

// DriverPid is the pid of the driver started for ups, whichever it is,
// or 0.
func (s *Site) DriverPid(ups string) int {
	for _, p := range s.procs {
		if len(p.Args) > 1 && p.Args[len(p.Args)-2] == "-a" && p.Args[len(p.Args)-1] == ups {
			return p.Process.Pid
		}
	}
	return 0
}

// Process returns the running dummy-ups of ups, or nil.
func (s *Site) Process(ups string) *os.Process {
	for _, p := range s.procs {
		if filepath.Base(p.Path) == "dummy-ups" && len(p.Args) > 0 && p.Args[len(p.Args)-1] == ups {
			return p.Process
		}
	}
	return nil
}
