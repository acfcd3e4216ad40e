package usbhid

import (
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
)

// TestExploreFlag: the explore flag takes any device of the vendor
// vendorid names with NUT's explore subdriver, ahead of the vendor's own
// (as NUT lists it first); subdriver = still names one; and without
// vendorid the section is refused, as NUT refuses it.
func TestExploreFlag(t *testing.T) {
	t.Parallel()
	apc := &Device{VendorID: 0x051d, ProductID: 0x0002, Vendor: "American Power Conversion", Product: "Back-UPS"}
	for _, tc := range []struct {
		name   string
		params []config.Param
		want   string // the subdriver, or the error
	}{
		{"explore", []config.Param{{Key: "vendorid", Value: "051d"}}, "EXPLORE HID 0.2"},
		{"explore and subdriver", []config.Param{{Key: "vendorid", Value: "051d"}, {Key: "subdriver", Value: "APC"}}, "APC HID 0.98"},
		{"explore without vendorid", nil, "explore needs vendorid"},
	} {
		ups := &config.UPS{Name: "u", Driver: "usbhid-ups", Flags: []string{"explore"}, Params: append(tc.params, config.Param{Key: "port", Value: "auto"})}
		p, err := New(driver.Params{UPS: ups})
		if err != nil {
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
			continue
		}
		s, err := p.(*Protocol).subdriver(apc)
		if err != nil || s.Name != tc.want {
			t.Errorf("%s: subdriver %v (%v), want %q", tc.name, s, err, tc.want)
		}
	}
	// Without the flag the vendor's own subdriver takes the UPS.
	ups := &config.UPS{Name: "u", Driver: "usbhid-ups", Params: []config.Param{{Key: "port", Value: "auto"}, {Key: "vendorid", Value: "051d"}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := p.(*Protocol).subdriver(apc); s != APC {
		t.Errorf("without explore: %v, want APC's", s)
	}
}
