package upsd

import (
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/sysnut/sysnut/internal/driver/options"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/sysnut/sysnut/internal/cmdvartab"
	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/nuttls"
)

// Files is upsd's view of a NUT configuration directory.
type Files struct {
	UPS   *config.UPSConf
	Upsd  *config.UpsdConf
	Users *config.Users
	Descs *cmdvartab.Table
	TLS   *tls.Config // nil: no CERTFILE
	// Skipped holds the ups.conf errors that LoadFilesAtStart served
	// around (nil from LoadFiles, which refuses any error).
	Skipped error
}

// LoadFiles reads ups.conf (required), upsd.conf and upsd.users (optional,
// as in NUT) from dir, and cmdvartab from DATAPATH. Any error in any file
// fails the whole load, so a reload never half-applies a broken config.
func LoadFiles(dir string, log *slog.Logger) (*Files, error) { return loadFiles(dir, log, false) }

// LoadFilesAtStart is LoadFiles for a starting upsd, which serves the UPSes
// of ups.conf that are usable despite errors elsewhere in it, as NUT's upsd
// warns and carries on: one bad section must not leave every UPS
// unmonitored. Each error is logged; a UPS without a driver, or defined a
// second time, is left out. (A reload stays all or nothing.)
func LoadFilesAtStart(dir string, log *slog.Logger) (*Files, error) { return loadFiles(dir, log, true) }

func loadFiles(dir string, log *slog.Logger, lenient bool) (*Files, error) {
	var errs []error
	f := &Files{}
	var err error
	if f.UPS, err = config.LoadUPSConf(filepath.Join(dir, "ups.conf")); err != nil {
		if usable := usableUPS(f.UPS); lenient && len(usable) > 0 {
			for _, e := range flatten(err) {
				log.Error("ups.conf: "+e.Error()+"; the other UPSes are served", "file", f.UPS.File)
			}
			f.UPS.UPS, f.Skipped = usable, err
		} else {
			errs = append(errs, err)
		}
	}
	if f.Upsd, err = config.LoadUpsdConf(filepath.Join(dir, "upsd.conf")); err != nil {
		if missing(err) {
			f.Upsd, err = config.DefaultUpsdConf(), nil
		} else {
			errs = append(errs, err)
		}
	}
	if f.Users, err = config.LoadUsers(config.Credential(filepath.Join(dir, "upsd.users"))); err != nil {
		if missing(err) {
			f.Users, err = &config.Users{}, nil
			log.Warn("no upsd.users: nobody can log in, set variables or run commands", "dir", dir)
		} else {
			errs = append(errs, err)
		}
	}
	for _, w := range Warnings(dir) {
		log.Warn(w)
	}
	if f.Upsd != nil {
		if f.TLS, err = TLSConfig(f.Upsd); err != nil {
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

// Check reports every problem in dir's config files (config.Check), in
// the certificates upsd.conf names, which only load when upsd starts, and
// in ups.conf's driver sections: drivers sysnut does not provide and keys
// a driver does not know, which the driver would refuse at start.
func Check(dir string) error {
	errs := []error{config.Check(dir)}
	// config.Check has reported ups.conf's own errors; the sections
	// that parsed are checked against their drivers.
	if uc, _ := config.LoadUPSConf(filepath.Join(dir, "ups.conf")); uc != nil {
		_, err := options.CheckAll(uc)
		errs = append(errs, err)
	}
	if c, err := config.LoadUpsdConf(filepath.Join(dir, "upsd.conf")); err == nil {
		_, err = TLSConfig(c)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// usableUPS are the sections upsd can serve: named, with a driver, each
// name once.
func usableUPS(c *config.UPSConf) []config.UPS {
	if c == nil {
		return nil
	}
	var out []config.UPS
	seen := map[string]bool{}
	for _, u := range c.UPS {
		k := strings.ToLower(u.Name)
		if u.Driver == "" || seen[k] {
			seen[k] = true
			continue
		}
		seen[k] = true
		out = append(out, u)
	}
	return out
}

// CheckReload reports what would make a reload of the running upsd fail,
// reading the files as a reload reads them. A file this process may not
// read is skipped: under systemd the secrets (upsd.users, the key) are
// root's alone and reach upsd as credentials copied at start, which a
// reload does not read again from /etc.
func CheckReload(dir string) error {
	_, err := LoadFiles(dir, slog.New(slog.DiscardHandler))
	var keep []error
	for _, e := range flatten(err) {
		if !errors.Is(e, fs.ErrPermission) {
			keep = append(keep, e)
		}
	}
	return errors.Join(keep...)
}

// flatten lists the errors an errors.Join holds.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// Warnings lists what upsd accepts but an administrator should fix, as
// NUT's upsd warns about them: upsd.users readable by every user.
func Warnings(dir string) []string {
	var out []string
	users := config.Credential(filepath.Join(dir, "upsd.users"))
	if st, err := os.Stat(users); err == nil && st.Mode().Perm()&0o004 != 0 {
		out = append(out, fmt.Sprintf("%s is world readable (mode %04o): every local user can read the passwords; chmod o-r it", users, st.Mode().Perm()))
	}
	return out
}

// DriverNotes lists the ups.conf keys the drivers accept without acting
// on them (options.Option.NoEffect), for upsd -t.
func DriverNotes(dir string) []string {
	uc, _ := config.LoadUPSConf(filepath.Join(dir, "ups.conf"))
	if uc == nil {
		return nil
	}
	notes, _ := options.CheckAll(uc)
	return notes
}

// Config turns loaded files into a server configuration.
func (f *Files) Config() Config {
	c := FromFiles(f.UPS, f.Upsd, f.Users, f.Descs)
	c.TLS = f.TLS
	return c
}

// TLSConfig builds STARTTLS's configuration from upsd.conf's CERTFILE,
// CERTPATH and CERTREQUEST; nil when there is no CERTFILE.
func TLSConfig(c *config.UpsdConf) (*tls.Config, error) {
	if c.CertIdent != [2]string{} {
		return nil, fmt.Errorf("%s: CERTIDENT names a certificate in an NSS database; sysnut reads PEM: use CERTFILE", c.Where("CERTIDENT"))
	}
	cfg, err := nuttls.Server{
		CertFile:    config.Credential(c.CertFile),
		CAPath:      c.CertPath,
		CertRequest: nuttls.CertRequest(c.CertRequest),
	}.Config()
	if err != nil {
		where := c.Where("CERTFILE")
		if _, ok := c.Lines["CERTFILE"]; !ok {
			where = c.Where("CERTREQUEST")
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return cfg, nil
}

func missing(err error) bool { return errors.Is(err, fs.ErrNotExist) }
