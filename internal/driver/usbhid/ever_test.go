package usbhid_test

import (
	"strconv"
	"testing"

	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/hid"
)

// everDescriptor is a small Ever-like report descriptor, written for this
// test (no recording of an Ever UPS's descriptor is public): the vendor
// collection EVER1 with the fields whose lookups read report buffers by
// number, in the reports those lookups read, and the battery charge and
// AC presence.
func everDescriptor(t *testing.T) []byte {
	var d []byte
	item := func(b ...byte) { d = append(d, b...) }
	usage := func(name string) byte {
		for _, u := range usbhid.Ever.Usages {
			if u.Name == name {
				return byte(u.Code)
			}
		}
		t.Fatalf("no usage %s", name)
		return 0
	}
	// A feature field: report id, vendor usage, size in bits.
	field := func(id byte, name string, size byte) {
		item(0x85, id, 0x06, 0x00, 0xff, 0x09, usage(name), 0x75, size, 0x95, 0x01, 0x15, 0x00)
		switch size {
		case 8:
			item(0x26, 0xff, 0x00)
		case 16:
			item(0x27, 0xff, 0xff, 0x00, 0x00)
		case 32:
			item(0x27, 0xff, 0xff, 0xff, 0x7f)
		}
		item(0xb1, 0x02)
	}
	// Flag bits in one report, from the first usage on, then padding.
	flags := func(id byte, collection string, first, n, pad int) {
		item(0x06, 0x00, 0xff, 0x09, usage(collection), 0xa1, 0x00, 0x85, id, 0x75, 0x01, 0x95, 0x01, 0x15, 0x00, 0x25, 0x01)
		for i := first; i < first+n; i++ {
			item(0x09, usage("EVER"+strconv.Itoa(i)), 0xb1, 0x02)
		}
		item(0x95, byte(pad), 0xb1, 0x03, 0xc0)
	}
	item(0x05, 0x84, 0x09, 0x04, 0xa1, 0x01) // UPS
	item(0x05, 0x00, 0x09, 0x00, 0xa1, 0x00) // EVER1
	field(10, "EVER13", 16)                  // inverter firmware
	field(11, "EVER15", 16)                  // hardware
	flags(75, "EVER18", 19, 13, 3)           // messages: EVER19 is bit 0
	flags(76, "EVER32", 33, 8, 8)            // alarms: EVER33 is bit 0
	field(210, "EVER72", 8)                  // MAC address, 6 bytes read by report
	item(0x75, 0x08, 0x95, 0x05, 0xb1, 0x03)
	field(211, "EVER73", 32) // notification destination
	field(215, "EVER77", 32) // packet counters
	field(216, "EVER78", 32)
	field(217, "EVER79", 32)
	field(218, "EVER80", 32)
	field(230, "EVER93", 32) // address, mask, gateway
	field(231, "EVER94", 32)
	field(232, "EVER95", 32)
	item(0x09, usage("EVER97"), 0xa1, 0x00) // work mode and on/off
	field(74, "EVER98", 8)
	item(0x09, usage("EVER102"), 0xb1, 0x02, 0xc0)
	item(0xc0) // EVER1
	item(0x05, 0x84, 0x09, 0x24, 0xa1, 0x00, 0x85, 0x20, 0x75, 0x08, 0x95, 0x01, 0x15, 0x00, 0x25, 0x64,
		0x05, 0x85, 0x09, 0x66, 0xb1, 0x02, 0x05, 0x84, 0x09, 0x02, 0xa1, 0x02, 0x05, 0x85, 0x09, 0xd0, 0xb1, 0x02, 0xc0, 0xc0) // PowerSummary: RemainingCapacity, PresentStatus.ACPresent
	item(0xc0)
	return d
}

// TestEverAsNUT: the Ever subdriver's lookups, which read whole report
// buffers by number, give what NUT 2.8.0's ever-hid.c functions give
// for these reports (worked out from its code).
func TestEverAsNUT(t *testing.T) {
	t.Parallel()
	desc, err := hid.Parse(everDescriptor(t))
	if err != nil {
		t.Fatal(err)
	}
	reports := map[uint8][]byte{
		10:   {10, 0x03, 0x12}, // v1.2b03
		11:   {11, 0x05, 0x02}, // rev.Bv05
		75:   {75, 0x44, 0x02}, // BOOST, CHARGING, NEED_REPLACMENT
		76:   {76, 0x0d, 0x00}, // OVERLOAD, OVERHEAT (0x0c)
		210:  {210, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e},
		211:  {211, 192, 168, 1, 10},
		215:  {215, 0x10, 0x27, 0x00, 0x00}, // 10000
		216:  {216, 0xff, 0xff, 0xff, 0xff}, // -1, as NUT's int prints it
		217:  {217, 3, 0, 0, 0},
		218:  {218, 0, 1, 0, 0},
		230:  {230, 10, 0, 0, 2},
		231:  {231, 255, 255, 255, 0},
		232:  {232, 10, 0, 0, 1},
		74:   {74, 4, 0}, // ONLINE
		0x20: {0x20, 87, 1},
	}
	dev := &usbhid.Device{VendorID: 0x2e51, ProductID: 0x0000, Product: "ECO PRO AVR CDS", Serial: "8002"}
	if s := usbhid.Claiming(dev, false); s != usbhid.Ever {
		t.Fatalf("2e51:0000 claimed by %v", s)
	}
	e := usbhid.NewEngine(usbhid.Ever, dev, desc, func(id uint8, n int) ([]byte, error) {
		b := make([]byte, n)
		copy(b, reports[id])
		return b, nil
	})
	v := newMapVars()
	if err := e.Init(v); err != nil {
		t.Fatal(err)
	}
	if err := e.Update(v, true); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"ups.mfr":   "Ever",
		"ups.model": "ECO PRO AVR CDS",
		"experimental.id.firmware_version_inverter":            "v1.2b03",
		"experimental.id.hardware_version":                     "rev.Bv05",
		"experimental.status.messages":                         "BOOST CHARGING NEED_REPLACMENT",
		"experimental.status.alarms":                           "OVERLOAD OVERHEAT",
		"experimental.status.workmode":                         "ONLINE",
		"experimental.networkcard.mac_address":                 "00:1a:2b:3c:4d:5e",
		"experimental.networkcard.notification_destination_ip": "192.168.1.10",
		"experimental.networkcard.ip_address":                  "10.0.0.2",
		"experimental.networkcard.network_mask":                "255.255.255.0",
		"experimental.networkcard.default_gateway":             "10.0.0.1",
		"experimental.networkcard.send_packets":                "10000",
		"experimental.networkcard.received_packets":            "-1",
		"experimental.networkcard.send_packets_err":            "3",
		"experimental.networkcard.received_packets_err":        "256",
		"battery.charge":                                       "87",
		"ups.status":                                           "ALARM OL CHRG OVER RB BOOST", // composed as TestStatus checks
		"ups.alarm":                                            "Replace battery!",
	} {
		if got, _ := v.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// Off unless on line or on battery (report 74), read afresh.
	reports[74] = []byte{74, 2, 0}
	if err := e.Update(v, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Get("experimental.status.workmode"); got != "STOP" {
		t.Errorf("workmode %q, want STOP", got)
	}
	if got, _ := v.Get("ups.status"); got != "ALARM OL CHRG OVER RB BOOST OFF" {
		t.Errorf("ups.status %q", got)
	}
}
