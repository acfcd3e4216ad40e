package usbhid

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hidraw"
)

// TestLBRBDelay: with lbrb_log_delay_sec, LB and RB that come and go
// within the delay while the UPS is on line and calibrating are never
// reported, ones that last are (after the delay, in whole seconds as NUT
// counts), and on battery nothing is held back; without the option they
// are reported at once, as NUT 2.8.0 does.
func TestLBRBDelay(t *testing.T) {
	t.Parallel()
	now := time.Unix(1796101200, 0)
	flags := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, f := range strings.Fields(s) {
			m[f] = true
		}
		return m
	}
	type step struct {
		at     int // seconds from the start
		flags  string
		status string
	}
	for _, c := range []struct {
		name  string
		delay time.Duration
		cal   bool // onlinedischarge_calibration
		any   bool // lbrb_log_delay_without_calibrating
		steps []step
	}{
		{"no delay: at once", 0, true, false, []step{
			{0, "online dischrg lowbatt replacebatt", "OL DISCHRG LB RB CAL"},
		}},
		{"a flash during calibration is never reported", 3 * time.Second, true, false, []step{
			{0, "online dischrg", "OL DISCHRG CAL"},
			{1, "online dischrg lowbatt replacebatt", "OL DISCHRG CAL"},
			{3, "online dischrg lowbatt replacebatt", "OL DISCHRG CAL"},
			{4, "online dischrg", "OL DISCHRG CAL"},
			{5, "online dischrg lowbatt", "OL DISCHRG CAL"},
		}},
		{"LB and RB that last are reported, each after the delay", 3 * time.Second, true, false, []step{
			{0, "online dischrg lowbatt", "OL DISCHRG CAL"},
			{2, "online dischrg lowbatt replacebatt", "OL DISCHRG CAL"},
			{3, "online dischrg lowbatt replacebatt", "OL DISCHRG CAL"},
			{4, "online dischrg lowbatt replacebatt", "OL DISCHRG LB CAL"},
			{6, "online dischrg lowbatt replacebatt", "OL DISCHRG LB RB CAL"},
		}},
		{"RB alone after the calibration's LB went: at once", 3 * time.Second, true, false, []step{
			{0, "online dischrg replacebatt", "OL DISCHRG RB CAL"},
		}},
		{"on battery nothing waits", 3 * time.Second, true, true, []step{
			{0, "dischrg lowbatt", "OB DISCHRG LB"},
		}},
		{"not calibrating: at once", 3 * time.Second, false, false, []step{
			{0, "online lowbatt replacebatt", "OL LB RB"},
		}},
		{"not calibrating, without_calibrating: held", 3 * time.Second, false, true, []step{
			{0, "online lowbatt", "OL"},
			{4, "online lowbatt", "OL LB"},
		}},
	} {
		e := &Engine{LBRBDelay: c.delay, OnlineCalibration: c.cal, LBRBWithoutCalibrating: c.any}
		for _, s := range c.steps {
			e.Now = func() time.Time { return now.Add(time.Duration(s.at) * time.Second) }
			e.status = flags(s.flags)
			if got := e.Status(); got != s.status {
				t.Errorf("%s, at %d s with %q: %q, want %q", c.name, s.at, s.flags, got, s.status)
			}
		}
	}
}

// TestFlashesLBRB: NUT's list of the APC models that get a 3-second
// lbrb_log_delay_sec unless ups.conf says otherwise.
func TestFlashesLBRB(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		vendor, product string
		want            bool
	}{
		{"American Power Conversion", "BK650M2-CH", true}, // nut-ddl's Back-UPS BK650M2-CH
		{"APC", "Back-UPS BK650M2_CH", true},
		{"APC", "Back-UPS BX1600MI", true},
		{"APC", "Back-UPS BVK750M2", true},
		{"American Power Conversion", "Back-UPS CS 500 FW:808.q10 .I USB FW:q1", false},
		{"APC", "Back-UPS BX1600MI-GR", false},
		{"CPS", "BX1600MI", false},
	} {
		if got := flashesLBRB(&Device{Vendor: c.vendor, Product: c.product}); got != c.want {
			t.Errorf("%s %s: %v", c.vendor, c.product, got)
		}
	}
}

// TestBusPortMatch: busport matches the hub port of the UPS (NUT's
// regex rules: whole string, case-insensitive), and a UPS whose port is
// unknown does not match a busport.
func TestBusPortMatch(t *testing.T) {
	t.Parallel()
	ups := &config.UPS{Name: "u", Driver: "usbhid-ups", Params: []config.Param{{Key: "port", Value: "auto"}, {Key: "vendorid", Value: "051d"}, {Key: "busport", Value: "00[23]"}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	u := p.(*Protocol)
	node := func(port string) hidraw.Node {
		return hidraw.Node{VendorID: 0x051d, ProductID: 2, Manufacturer: "American Power Conversion", BusPort: port}
	}
	for port, want := range map[string]bool{"002": true, "003": true, "004": false, "012": false, "": false} {
		if got := u.matches(node(port)); got != want {
			t.Errorf("busport %q: %v", port, got)
		}
	}
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestReconnectLeaksNoFD: a UPS that keeps failing as it is opened (its
// node opens, its descriptor cannot be read: a device going away as it is
// plugged in) is tried again and again, through the real open path, and
// every attempt closes what it opened.
func TestReconnectLeaksNoFD(t *testing.T) {
	root := t.TempDir()
	usb := filepath.Join(root, "sys/devices/pci0000:00/0000:00:14.0/usb3/3-2")
	hidDir := filepath.Join(usb, "3-2:1.0/0003:051D:0002.0001")
	if err := os.MkdirAll(hidDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{"idVendor": "051d", "idProduct": "0002", "manufacturer": "American Power Conversion",
		"product": "Back-UPS 500", "serial": "AB0427", "busnum": "3", "devnum": "2"} {
		os.WriteFile(filepath.Join(usb, name), []byte(value+"\n"), 0o644)
	}
	class := filepath.Join(root, "sys/class/hidraw/hidraw0")
	os.MkdirAll(class, 0o755)
	if err := os.Symlink(hidDir, filepath.Join(class, "device")); err != nil {
		t.Fatal(err)
	}
	// A regular file where the node is: it opens, and every hidraw ioctl
	// on it fails.
	os.MkdirAll(filepath.Join(root, "dev"), 0o755)
	os.WriteFile(filepath.Join(root, "dev/hidraw0"), nil, 0o644)

	ups := &config.UPS{Name: "u", Driver: "usbhid-ups", Params: []config.Param{{Key: "port", Value: "auto"}}}
	p, err := New(driver.Params{UPS: ups})
	if err != nil {
		t.Fatal(err)
	}
	u := p.(*Protocol)
	u.root = root
	before := openFDs(t)
	for i := 0; i < 200; i++ {
		if err := u.Connect(context.Background(), nil); err == nil {
			t.Fatal("a node without a descriptor was taken for a UPS")
		}
	}
	if after := openFDs(t); after > before {
		t.Errorf("%d descriptors open after 200 failed connects, %d before", after, before)
	}
}
