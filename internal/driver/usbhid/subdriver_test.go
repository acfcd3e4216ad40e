package usbhid_test

import (
	"testing"

	"github.com/sysnut/sysnut/internal/driver/usbhid"
)

// TestClaiming: which subdriver takes a USB device, as NUT 2.8.0's
// claim functions decide (in NUT's order: MGE first).
func TestClaiming(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		vid, pid        uint16
		vendor, product string
		productid       bool
		want            string // "" for none
	}{
		{"APC Back-UPS", 0x051d, 0x0002, "American Power Conversion", "Back-UPS", false, "APC HID 0.98"},
		{"APC, unknown product", 0x051d, 0x9999, "", "", false, ""},
		{"APC, unknown product, productid given", 0x051d, 0x9999, "", "", true, "APC HID 0.98"},
		{"Eaton", 0x0463, 0xffff, "EATON", "Ellipse MAX", false, "MGE HID 1.46"},
		{"Phoenixtec is Liebert's", 0x06da, 0xffff, "PPC", "Offline UPS", false, "Phoenixtec/Liebert HID 0.41"},
		{"Phoenixtec made for AEG is MGE's", 0x06da, 0xffff, "AEG", "PROTECT NAS", false, "MGE HID 1.46"},
		{"HP, unknown product: silently none", 0x03f0, 0x1234, "", "", false, ""},
		{"HP T750 G2 is Tripp Lite's", 0x03f0, 0x1fe1, "", "", false, "TrippLite HID 0.84"},
		{"HP R/T3000 is MGE's", 0x03f0, 0x1fe5, "", "", false, "MGE HID 1.46"},
		{"Belkin's hub, even with productid", 0x050d, 0x0218, "", "", true, ""},
		{"Belkin UPS", 0x050d, 0x0980, "", "", false, "Belkin/Liebert HID 0.18"},
		{"PowerCOM serial adapter, even with productid", 0x0d9f, 0x0002, "", "", true, ""},
		{"PowerCOM", 0x0d9f, 0x0004, "", "", false, "PowerCOM HID 0.6"},
		{"CyberPower", 0x0764, 0x0501, "CPS", "CP1500", false, "CyberPower HID 0.6"},
		{"Delta/Minuteman E1500RM2U is Tripp Lite's", 0x05dd, 0xa011, "", "", false, "TrippLite HID 0.84"},
		{"a keyboard", 0x046d, 0xc31c, "Logitech", "Keyboard", true, ""},
	} {
		d := &usbhid.Device{VendorID: tc.vid, ProductID: tc.pid, Vendor: tc.vendor, Product: tc.product}
		got := ""
		if s := usbhid.Claiming(d, tc.productid); s != nil {
			got = s.Name
		}
		if got != tc.want {
			t.Errorf("%s (%04x:%04x): claimed by %q, NUT's is %q", tc.name, tc.vid, tc.pid, got, tc.want)
		}
	}
}
