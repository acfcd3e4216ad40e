package config

import (
	"errors"
	"io/fs"
	"path/filepath"
)

// Check parses every NUT config file present in dir and returns all their
// problems. ups.conf must exist; the others are checked when present.
func Check(dir string) error {
	var errs []error
	if _, err := LoadUPSConf(filepath.Join(dir, "ups.conf")); err != nil {
		errs = append(errs, err)
	}
	optional := []func(string) error{
		func(p string) error { _, err := LoadUpsdConf(p); return err },
		func(p string) error { _, err := LoadUsers(p); return err },
		func(p string) error { _, err := LoadUpsmonConf(p); return err },
	}
	for i, name := range []string{"upsd.conf", "upsd.users", "upsmon.conf"} {
		if err := optional[i](filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
