package dashboard

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/sysnut/sysnut/internal/snapshot"
)

// Config is ups-dashboard's command line.
type Config struct {
	Server     snapshot.Server
	Listen     string        // outside socket activation
	StateDir   string        // where the history is kept
	Every      time.Duration // between samples
	Journalctl string        // "" or "none": no outage history
	Version    bool
}

// ParseFlags reads args (without the program name); env supplies
// STATE_DIRECTORY (systemd's StateDirectory=) and
// UPS_DASHBOARD_PASSWORD.
func ParseFlags(args []string, env func(string) string) (*Config, error) {
	fs := flag.NewFlagSet("ups-dashboard", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	c := &Config{}
	fs.StringVar(&c.Server.Addr, "upsd", "127.0.0.1:3493", "upsd's `host:port`")
	fs.StringVar(&c.Server.Username, "user", "", "authenticate to upsd as `NAME` (password in UPS_DASHBOARD_PASSWORD)")
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:9198", "`address` to serve on when systemd passes no socket")
	dir := env("STATE_DIRECTORY")
	if dir == "" {
		dir = "/var/lib/ups-dashboard"
	}
	fs.StringVar(&c.StateDir, "state-dir", dir, "`directory` of the history (default: systemd's StateDirectory)")
	fs.DurationVar(&c.Every, "interval", RecentStep, "time between samples (at least 1s)")
	fs.StringVar(&c.Journalctl, "journalctl", "journalctl", "journalctl, for the outage history (`none`: no history)")
	fs.BoolVar(&c.Version, "V", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.Every < time.Second {
		return nil, fmt.Errorf("-interval %v: at least 1s", c.Every)
	}
	c.Server.Password = env("UPS_DASHBOARD_PASSWORD")
	if c.Server.Username != "" && c.Server.Password == "" {
		return nil, errors.New("-user is set but UPS_DASHBOARD_PASSWORD is not")
	}
	return c, nil
}
