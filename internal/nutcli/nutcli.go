// Package nutcli implements the command-line clients upsc, upscmd and upsrw
// with NUT 2.8's arguments, output streams, texts and exit codes, so that
// scripts written against NUT's tools keep working.
package nutcli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/nuttls"

	"github.com/sysnut/sysnut/internal/version"
)

// Version is printed in usage banners; NUT's tools print theirs there.
const Version = "sysnut " + version.Release

// IO is a tool's environment: its streams, and how to ask for a secret.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// ReadPassword reads a line without echo; nil reads a plain line.
	ReadPassword func(prompt string) (string, error)
	// Getenv reads the TLS policy (nuttls.ClientFromEnv); nil: defaults.
	Getenv func(string) string
}

// dial connects to addr with the TLS policy of the environment: STARTTLS
// is tried, as NUT's clients do, and NUT_FORCESSL makes it mandatory.
func (e IO) dial(ctx context.Context, addr string) (*nutclient.Client, error) {
	getenv := e.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	policy, err := nuttls.ClientFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return nutclient.DialTLS(ctx, addr, policy)
}

// exit carries an exit status through panics-free early returns.
type exit struct{ code int }

// fatal prints msg on stderr and returns status 1, as NUT's fatalx does.
func (e IO) fatal(format string, args ...any) exit {
	fmt.Fprintf(e.Stderr, format+"\n", args...)
	return exit{1}
}

// describe renders an error like upscli_strerror.
func describe(err error) string {
	var pe *nutproto.Error
	if errors.As(err, &pe) {
		return pe.Error()
	}
	var ce *nutclient.ConnError
	if errors.As(err, &ce) {
		return ce.Error()
	}
	return err.Error()
}

// getopt parses NUT-style options: clustered flags, values attached or
// separate, stopping at the first operand (getopt's "+" mode).
func getopt(args []string, spec string) (opts []opt, rest []string, err error) {
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return opts, args[1:], nil
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		args = args[1:]
		for i := 1; i < len(a); i++ {
			c := a[i]
			j := strings.IndexByte(spec, c)
			if j < 0 {
				return nil, nil, fmt.Errorf("invalid option -- '%c'", c)
			}
			if j+1 < len(spec) && spec[j+1] == ':' {
				v := a[i+1:]
				if v == "" {
					if len(args) == 0 {
						return nil, nil, fmt.Errorf("option requires an argument -- '%c'", c)
					}
					v, args = args[0], args[1:]
				}
				opts = append(opts, opt{c, v})
				break
			}
			opts = append(opts, opt{c, ""})
		}
	}
	return opts, args, nil
}

type opt struct {
	name  byte
	value string
}

// badAdminUPS is how upscmd and upsrw reject a malformed UPS name; upsc
// words it differently (badUPS).
const badAdminUPS = "Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n"

// connect dials the upsd named by "ups[@host[:port]]", printing NUT's
// error for a malformed name (bad) or a connection failure.
func (e IO) connect(ctx context.Context, target, bad string) (*nutclient.Client, string, exit, bool) {
	ups, addr, err := nutclient.SplitName(target)
	if err != nil {
		return nil, "", e.fatal("%s", bad), false
	}
	c, err := e.dial(ctx, addr)
	if err != nil {
		return nil, "", e.fatal("Error: %s", describe(err)), false
	}
	return c, ups, exit{}, true
}

// lines reads r by lines, sharing r's buffer if it has one (Stdio's).
func lines(r io.Reader) *bufio.Reader {
	if b, ok := r.(*bufio.Reader); ok {
		return b
	}
	return bufio.NewReader(r)
}

// credentials prompts for what -u and -p did not give, as NUT's tools do.
func (e IO) credentials(username, password string, haveUser, havePass bool) (string, string, error) {
	in := lines(e.Stdin)
	if !haveUser {
		def := ""
		if u, err := user.Current(); err == nil {
			def = u.Username
		}
		fmt.Fprintf(e.Stderr, "Username (%s): ", def)
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", "", err
		}
		username = strings.TrimRight(line, "\r\n")
		if username == "" {
			username = def
		}
	}
	if !havePass {
		if e.ReadPassword != nil {
			p, err := e.ReadPassword("Password: ")
			if err != nil {
				return "", "", err
			}
			password = p
		} else {
			fmt.Fprint(e.Stderr, "Password: ")
			line, err := in.ReadString('\n')
			if err != nil && line == "" {
				return "", "", err
			}
			password = strings.TrimRight(line, "\r\n")
		}
	}
	return username, password, nil
}

// waitTracking polls GET TRACKING once a second until the driver answers
// or timeout passes, and returns the final line (SUCCESS, ERR ...).
func waitTracking(c *nutclient.Client, id string, timeout time.Duration) (string, error) {
	start := time.Now()
	for {
		if err := c.Send("GET TRACKING " + id); err != nil {
			return "", err
		}
		line, err := c.ReadLine()
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(line, "PENDING") {
			return line, nil
		}
		if time.Since(start) >= timeout {
			return "", errors.New("timeout")
		}
		time.Sleep(time.Second)
	}
}

// uuidLen is the length of a tracking id; upscmd -w and upsrw -w only
// follow "OK TRACKING <id>" replies at least this long.
const uuidLen = 36

// Stdio is the process's own IO; passwords are read without echo when
// stdin is a terminal.
func Stdio() IO {
	// One buffered reader for the whole run: username, password and value
	// may all come down one pipe, and a second reader would find the
	// first had taken them.
	e := IO{Stdin: bufio.NewReader(os.Stdin), Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	fd := int(os.Stdin.Fd())
	if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
		e.ReadPassword = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			defer fmt.Fprintln(os.Stderr)
			return readNoEcho(fd)
		}
	}
	return e
}

// readNoEcho reads one line from a terminal with echo off.
func readNoEcho(fd int) (string, error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", err
	}
	t := *old
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return "", err
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := unix.Read(fd, one)
		if n == 0 || err != nil || one[0] == '\n' {
			if len(b) == 0 && err != nil {
				return "", err
			}
			return strings.TrimRight(string(b), "\r"), nil
		}
		b = append(b, one[0])
	}
}
