package dbusapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/nuttls"
)

// NUT is the Backend that talks to upsd as a NUT client: reads anonymously
// on one kept connection, changes on a fresh connection logged in as an
// upsd.users account of its own.
type NUT struct {
	Addr     string // upsd, host:port
	User     string // the account for changes; empty: changes fail with a hint
	Password string
	Upsmon   string // the upsmon binary, for test notifications
	TLS      nuttls.Client

	mu   sync.Mutex
	read *nutclient.Client
}

// reader returns the kept connection, dialling it if needed; n.mu is held.
func (n *NUT) reader(ctx context.Context) (*nutclient.Client, error) {
	if n.read != nil {
		return n.read, nil
	}
	c, err := nutclient.DialTLS(ctx, n.Addr, n.TLS)
	if err != nil {
		return nil, err
	}
	n.read = c
	return c, nil
}

// do runs fn on the kept connection, dropping it if the connection (not
// the request) failed. A kept connection that fails is dialled again and
// fn run once more: upsd closes a connection quiet for its idle timeout
// (60 s, as NUT's), about as long as this service may go between reads.
func (n *NUT) do(ctx context.Context, fn func(*nutclient.Client) error) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	kept := n.read != nil
	for {
		c, err := n.reader(ctx)
		if err != nil {
			return err
		}
		err = fn(c)
		var pe *nutproto.Error
		if err == nil || errors.As(err, &pe) {
			return err
		}
		c.Close()
		n.read = nil
		if !kept || ctx.Err() != nil {
			return err
		}
		kept = false
	}
}

// Watch implements Watcher: a connection of its own that WATCHes ups and
// calls changed after each pushed status.
func (n *NUT) Watch(ctx context.Context, ups []string, changed func()) error {
	c, err := nutclient.DialTLS(ctx, n.Addr, n.TLS)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Watch(ups...); err != nil {
		return err
	}
	return c.Follow(ctx, func(nutclient.Status) { changed() })
}

// UPS lists upsd's UPSes.
func (n *NUT) UPS(ctx context.Context) ([]UPS, error) {
	var out []UPS
	err := n.do(ctx, func(c *nutclient.Client) error {
		rows, err := c.List("UPS")
		for _, r := range rows {
			if len(r) >= 3 {
				out = append(out, UPS{Name: r[1], Desc: r[2]})
			}
		}
		return err
	})
	return out, err
}

// Vars returns LIST VAR.
func (n *NUT) Vars(ctx context.Context, ups string) (map[string]string, error) {
	out := map[string]string{}
	err := n.do(ctx, func(c *nutclient.Client) error {
		vs, err := c.Vars(ups)
		for _, v := range vs {
			out[v.Name] = v.Value
		}
		return err
	})
	return out, err
}

// Commands returns LIST CMD.
func (n *NUT) Commands(ctx context.Context, ups string) ([]string, error) {
	var out []string
	err := n.do(ctx, func(c *nutclient.Client) error {
		rows, err := c.List("CMD", ups)
		for _, r := range rows {
			if len(r) >= 3 {
				out = append(out, r[2])
			}
		}
		return err
	})
	return out, err
}

// admin runs one request as the service's own upsd user.
func (n *NUT) admin(ctx context.Context, line string) error {
	if n.User == "" {
		return errors.New("no upsd account for changes: add [" + DefaultUser + "] to upsd.users (actions = SET FSD, instcmds = ALL), then " + RestartHint)
	}
	c, err := nutclient.DialTLS(ctx, n.Addr, n.TLS)
	if err != nil {
		return err
	}
	defer c.Logout()
	err = c.Authenticate(n.User, n.Password)
	if err == nil {
		_, err = c.Cmd(line)
	}
	// NUT answers a wrong password only when the account is used.
	var pe *nutproto.Error
	if errors.As(err, &pe) && pe.Code == nutproto.ErrAccessDenied {
		return fmt.Errorf("upsd refused the %s account (%w): check its password and rights in upsd.users; if upsd.users was changed, %s", n.User, err, RestartHint)
	}
	return err
}

// RestartHint is what to do after editing upsd.users: upsd and this
// service each get a copy of it when they start (LoadCredential=).
const RestartHint = "systemctl restart ups-server.service sysnut-dbus.service (both read upsd.users when they start)"

// DefaultUser is the upsd.users account the service uses for changes.
const DefaultUser = "sysnut-dbus"

// InstantCommand sends INSTCMD.
func (n *NUT) InstantCommand(ctx context.Context, ups, cmd, param string) error {
	line := "INSTCMD " + nutproto.Quote(ups) + " " + nutproto.Quote(cmd)
	if param != "" {
		line += " " + nutproto.Quote(param)
	}
	return n.admin(ctx, line)
}

// SetVariable sends SET VAR.
func (n *NUT) SetVariable(ctx context.Context, ups, name, value string) error {
	return n.admin(ctx, "SET VAR "+nutproto.Quote(ups)+" "+nutproto.Quote(name)+" "+nutproto.Quote(value))
}

// ForcedShutdown sends FSD.
func (n *NUT) ForcedShutdown(ctx context.Context, ups string) error {
	return n.admin(ctx, "FSD "+nutproto.Quote(ups))
}

// TestNotification runs upsmon -test-notify, which sends it through
// upsmon.conf's channels.
func (n *NUT) TestNotification(ctx context.Context, typ string) error {
	if n.Upsmon == "" {
		return errors.New("no upsmon binary configured")
	}
	cmd := exec.CommandContext(ctx, n.Upsmon, "-test-notify", typ)
	// upsmon's stderr stays ours: under systemd it is the journal stream,
	// so the notification becomes a journal entry with its fields.
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("upsmon -test-notify %s: %v: %s", typ, err, strings.TrimSpace(string(out)))
	}
	return nil
}
