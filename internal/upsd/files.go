package upsd

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"

	"github.com/sysnut/sysnut/internal/cmdvartab"
	"github.com/sysnut/sysnut/internal/config"
)

// Files is upsd's view of a NUT configuration directory.
type Files struct {
	UPS   *config.UPSConf
	Upsd  *config.UpsdConf
	Users *config.Users
	Descs *cmdvartab.Table
}

// LoadFiles reads ups.conf (required), upsd.conf and upsd.users (optional,
// as in NUT) from dir, and cmdvartab from DATAPATH. Any error in any file
// fails the whole load, so a reload never half-applies a broken config.
func LoadFiles(dir string, log *slog.Logger) (*Files, error) {
	var errs []error
	f := &Files{}
	var err error
	if f.UPS, err = config.LoadUPSConf(filepath.Join(dir, "ups.conf")); err != nil {
		errs = append(errs, err)
	}
	if f.Upsd, err = config.LoadUpsdConf(filepath.Join(dir, "upsd.conf")); err != nil {
		if missing(err) {
			f.Upsd, err = config.DefaultUpsdConf(), nil
		} else {
			errs = append(errs, err)
		}
	}
	if f.Users, err = config.LoadUsers(filepath.Join(dir, "upsd.users")); err != nil {
		if missing(err) {
			f.Users, err = &config.Users{}, nil
			log.Warn("no upsd.users: nobody can log in, set variables or run commands", "dir", dir)
		} else {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(f.UPS.UPS) == 0 && !f.Upsd.AllowNoDevice {
		return nil, fmt.Errorf("%s: no UPS defined (set ALLOW_NO_DEVICE in upsd.conf to start anyway)", f.UPS.File)
	}
	dp := f.Upsd.DataPath
	if dp == "" {
		dp = config.DefaultDataPath
	}
	if f.Descs, err = cmdvartab.Load(filepath.Join(dp, "cmdvartab")); err != nil {
		// Optional in NUT too: descriptions then read "Description unavailable".
		log.Warn("no variable descriptions", "err", err)
	}
	return f, nil
}

// Config turns loaded files into a server configuration.
func (f *Files) Config() Config { return FromFiles(f.UPS, f.Upsd, f.Users, f.Descs) }

func missing(err error) bool { return errors.Is(err, fs.ErrNotExist) }
