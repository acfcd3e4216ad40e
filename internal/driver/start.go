package driver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver/options"
	"github.com/sysnut/sysnut/internal/driversock"
)

// ConfigError is an error in ups.conf that no restart can fix: ups-driver
// exits with ExitConfig for it, and its unit does not restart it.
type ConfigError struct{ Err error }

// Error is the underlying error's text.
func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// ExitConfig is sysexits' EX_CONFIG, the status for a ConfigError
// (RestartPreventExitStatus= in ups-driver@.service).
const ExitConfig = 78

// Spec is everything needed to start the driver for one [section].
type Spec struct {
	ConfDir  string
	UPSConf  *config.UPSConf
	Name     string
	Protocol func(Params) (Protocol, error)
	Version  string
	Log      *slog.Logger
	// Credentials is where systemd put the unit's credentials
	// ($CREDENTIALS_DIRECTORY): secrets ups.conf leaves out.
	Credentials string
	// Notify is Options.Notify: nil tells systemd directly.
	Notify func(state string)
}

// Prepare finds the section and builds its protocol.
func (s Spec) Prepare() (*config.UPS, Protocol, Params, error) {
	u := s.UPSConf.Find(s.Name)
	if u == nil {
		return nil, nil, Params{}, &ConfigError{fmt.Errorf("%s: no [%s] section", s.UPSConf.File, s.Name)}
	}
	// NUT's drivers refuse keys they do not know; so does ours, before
	// touching the device.
	notes, err := options.Check(s.UPSConf.File, u)
	if err != nil {
		return nil, nil, Params{}, &ConfigError{err}
	}
	for _, n := range append(options.GlobalNotes(s.UPSConf), notes...) {
		s.Log.Info(n, "ups", u.Name)
	}
	params := Params{UPS: u, ConfDir: s.ConfDir, Log: s.Log, Credentials: s.Credentials}
	p, err := s.Protocol(params)
	if err != nil {
		line := u.Line
		var pe *ParamError
		if errors.As(err, &pe) {
			line = u.LineOf(pe.Key)
		}
		return nil, nil, Params{}, &ConfigError{fmt.Errorf("%s:%d: [%s]: %w", s.UPSConf.File, line, u.Name, err)}
	}
	return u, p, params, nil
}

// Serve prepares the driver, creates its socket in the state directory
// and runs it until ctx ends.
func (s Spec) Serve(ctx context.Context) error {
	u, p, params, err := s.Prepare()
	if err != nil {
		return err
	}
	poll, err := params.Int("pollinterval", 0)
	if err != nil {
		return &ConfigError{fmt.Errorf("%s:%d: [%s]: %w", s.UPSConf.File, u.Line, u.Name, err)}
	}
	if poll == 0 {
		if poll, err = globalInt(s.UPSConf, "pollinterval", 2); err != nil {
			return &ConfigError{err}
		}
	}
	sock := filepath.Join(config.StatePath(s.UPSConf, nil), u.Driver+"-"+u.Name)
	l, err := driversock.Listen(sock)
	if err != nil {
		return fmt.Errorf("driver socket: %w", err)
	}
	s.Log.Info(fmt.Sprintf("%s driver started, serving %s", u.Driver, sock), "ups", u.Name, "driver", u.Driver, "socket", sock)
	return Run(ctx, p, params, Options{Driver: u.Driver, Version: s.Version,
		PollInterval: time.Duration(poll) * time.Second, Log: s.Log, Notify: s.Notify}, l)
}

// KillPower makes the UPS cut its output, for the end of a shutdown.
func (s Spec) KillPower(ctx context.Context) error {
	u, p, _, err := s.Prepare()
	if err != nil {
		return err
	}
	k, ok := p.(Killer)
	if !ok {
		return fmt.Errorf("[%s]: driver %s: %w", u.Name, u.Driver, ErrNoKillPower)
	}
	st := newState(ctx, p, u, s.Log)
	if err := p.Connect(ctx, st); err != nil {
		return fmt.Errorf("[%s]: %w", u.Name, err)
	}
	defer p.Close()
	return k.KillPower(ctx)
}

// ShutdownOrder lists the UPSes to kill power on, by ascending sdorder
// (default 0, ties in file order), leaving out sdorder = -1.
func ShutdownOrder(c *config.UPSConf) ([]*config.UPS, error) {
	type entry struct {
		u     *config.UPS
		order int
	}
	var es []entry
	for i := range c.UPS {
		u := &c.UPS[i]
		o := 0
		if v, ok := u.Get("sdorder"); ok {
			if _, err := fmt.Sscanf(v, "%d", &o); err != nil {
				return nil, fmt.Errorf("%s:%d: [%s]: sdorder %q is not a number", c.File, u.Line, u.Name, v)
			}
		}
		if o >= 0 {
			es = append(es, entry{u, o})
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].order < es[j].order })
	out := make([]*config.UPS, len(es))
	for i, e := range es {
		out[i] = e.u
	}
	return out, nil
}

func globalInt(c *config.UPSConf, key string, def int) (int, error) {
	v, ok := c.Global[key]
	if !ok {
		return def, nil
	}
	var n int
	if _, err := fmt.Sscanf(v, "%d", &n); err != nil {
		return 0, fmt.Errorf("%s: global %s: %q is not a number", c.File, key, v)
	}
	return n, nil
}
