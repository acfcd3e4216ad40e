package registry_test

import (
	"slices"
	"testing"

	"github.com/sysnut/sysnut/internal/driver/options"
	"github.com/sysnut/sysnut/internal/driver/registry"
)

// The option table (checked by upsd -t and the generator) and the
// protocols (run by ups-driver) name the same drivers.
func TestOptionsAndProtocolsAgree(t *testing.T) {
	if a, b := registry.Names(), options.Names(); !slices.Equal(a, b) {
		t.Errorf("protocols %v, option tables %v", a, b)
	}
}
