// Package registry maps ups.conf's driver names (NUT's names, so that an
// existing ups.conf works) to sysnut's protocol implementations.
package registry

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/dummy"
	"github.com/sysnut/sysnut/internal/driver/genericups"
	"github.com/sysnut/sysnut/internal/driver/megatec"
	"github.com/sysnut/sysnut/internal/driver/options"
	"github.com/sysnut/sysnut/internal/driver/snmp"
	"github.com/sysnut/sysnut/internal/driver/usbhid"
)

// Entry describes one protocol.
type Entry struct {
	New     func(driver.Params) (driver.Protocol, error)
	Version string
}

var drivers = map[string]Entry{
	"dummy-ups":  {dummy.New, dummy.Version},
	"nutdrv_qx":  {megatec.New, megatec.Version},
	"blazer_ser": {megatec.New, megatec.Version},
	"genericups": {genericups.New, genericups.Version},
	"usbhid-ups": {usbhid.New, usbhid.Version},
	"snmp-ups":   {snmp.New, snmp.Version},
}

// Lookup returns the protocol for a driver name.
func Lookup(name string) (Entry, error) {
	e, ok := drivers[name]
	if !ok {
		return Entry{}, fmt.Errorf("driver %q is not supported by sysnut (supported: %s)", name, strings.Join(options.Names(), ", "))
	}
	return e, nil
}

// Names lists the driver names with a protocol (options.Names lists the
// same: a test keeps them in step).
func Names() []string {
	var n []string
	for k := range drivers {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
