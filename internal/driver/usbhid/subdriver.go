// Package usbhid is NUT's usbhid-ups over Linux hidraw: subdrivers map a
// HID UPS's usage paths to NUT's variables, status flags and commands
// with NUT's own tables, and an Engine reads them from the device's
// reports (through any Device layer: hidraw, a fake, or a recorded NUT
// log) the way usbhid-ups.c walks its tables.
package usbhid

import "github.com/sysnut/sysnut/internal/hid"

// Device is what the device layer knows of the UPS beside its reports:
// the USB identity, and its string descriptors where it can read them.
type Device struct {
	VendorID, ProductID     uint16
	Vendor, Product, Serial string
	// String reads a USB string descriptor by index (battery chemistry,
	// OEM information); nil, or false, where the layer cannot (hidraw).
	String func(index int) (string, bool)

	// Quirks are what NUT's device table hooks do for this product
	// ("pollonly", "battery_scale"), set when a subdriver claims it.
	Quirks map[string]bool
	// Published reads a variable as published so far (NUT's
	// dstate_getinfo) and Publish sets one, for the lookups that use or
	// set another variable; the engine sets both.
	Published func(name string) (string, bool)
	Publish   func(name, value string)
	Unpublish func(name string)
	// Flag is a status flag as collected so far (NUT's ups_status_get).
	Flag func(name string) bool
	// Item reads a field of the UPS by usage path, as NUT's
	// HIDGetItemValue (Eaton's model name falls back on its VA).
	Item func(path string) (float64, bool)
	// Memo keeps what a lookup learns about this device across polls
	// (CyberPower's battery voltage scale).
	Memo map[string]float64
	// Report is a report's last buffer, its ID first (NUT's reportbuf,
	// which Ever's lookups read by report number); the engine sets it.
	Report func(id uint8) []byte
}

// report is d.Report, or nothing where no engine has set it.
func (d *Device) report(id uint8) []byte {
	if d == nil || d.Report == nil {
		return nil
	}
	return d.Report(id)
}

// turn counts a lookup's calls modulo n, for NUT's lookups that tell
// their rows apart by a call counter; it returns the count before this
// call.
func (d *Device) turn(key string, n int) int {
	if d.Memo == nil {
		d.Memo = map[string]float64{}
	}
	t := int(d.Memo[key])
	d.Memo[key] = float64((t + 1) % n)
	return t
}

// USBID is a line of a subdriver's device table (NUT's usb_device_id_t);
// Quirk names what NUT's hook function for the product does.
type USBID struct {
	Vendor, Product uint16
	Quirk           string
}

// RowFlag is NUT's hidflags of a table row.
type RowFlag uint

// Row flags (usbhid-ups.h HU_FLAG_*, HU_TYPE_CMD).
const (
	Static     RowFlag = 2   // read once, at start
	SemiStatic RowFlag = 4   // read at start and after a change made through the driver
	Absent     RowFlag = 8   // held by the driver (Format is the value), not read
	QuickPoll  RowFlag = 16  // read at every poll, not only every pollfreq
	Cmd        RowFlag = 64  // an instant command: Format is the value written
	Enum       RowFlag = 128 // Lookup's values are the variable's enumeration
)

// Row is one line of a subdriver's table (NUT's hid_info_t).
type Row struct {
	// Var is the NUT variable, "BOOL" for a status flag, or the command
	// name of a Cmd row.
	Var string
	// RW and Len: writable, as a string of at most Len characters.
	RW   bool
	Len  int
	Path string
	// Format is a printf format for the value ("%.0f"), or the value of
	// an Absent row or a command.
	Format string
	Flags  RowFlag
	Lookup *Lookup
}

// Subdriver is one vendor's mapping (NUT's subdriver_t).
type Subdriver struct {
	// Name is driver.version.data ("APC HID 0.98").
	Name string
	// Devices are the products the subdriver supports (NUT's device
	// table). Claim, if set, replaces the standard claim (see Claims).
	Devices []USBID
	Claim   func(d *Device, productid bool) bool
	Usages  hid.Table
	Rows    []Row
	// Mfr, Model and Serial give ups.mfr, ups.model and ups.serial; they
	// may set other variables (APC's firmware from its product string).
	Mfr, Model, Serial func(d *Device, set func(name, value string)) string
	// Fix repairs a descriptor the firmware gets wrong, before use.
	Fix func(d *Device, desc *hid.Descriptor)
}

// Support is NUT's is_usb_device_supported over the device table.
type Support int

// Values of Support.
const (
	NotSupported      Support = iota
	PossiblySupported         // a vendor of the table, another product
	Supported                 // a product of the table
)

// Support tells how the device table knows the device, and records the
// product's quirk in d.Quirks.
func (s *Subdriver) Support(d *Device) Support { return supportOf(s.Devices, d) }

// supportOf is Support over a device table, for the claim functions
// that add their own rules to it.
func supportOf(devices []USBID, d *Device) Support {
	r := NotSupported
	for _, id := range devices {
		if id.Vendor != d.VendorID {
			continue
		}
		r = PossiblySupported
		if id.Product != d.ProductID {
			continue
		}
		if id.Quirk != "" {
			if d.Quirks == nil {
				d.Quirks = map[string]bool{}
			}
			d.Quirks[id.Quirk] = true
		}
		return Supported
	}
	return r
}

// Claims reports whether the subdriver takes the device, as NUT's claim
// functions do: a product of its table; another product of a vendor of
// its table only when ups.conf gives productid (productid).
func (s *Subdriver) Claims(d *Device, productid bool) bool {
	if s.Claim != nil {
		return s.Claim(d, productid)
	}
	switch s.Support(d) {
	case Supported:
		return true
	case PossiblySupported:
		return productid
	}
	return false
}

// usbSerial is the serial function most subdrivers use: the USB serial
// string as it is.
func usbSerial(d *Device, _ func(string, string)) string { return d.Serial }

// usbProduct is the model function most subdrivers use: the USB product
// string as it is.
func usbProduct(d *Device, _ func(string, string)) string { return d.Product }

// usbVendor is the USB manufacturer string as it is.
func usbVendor(d *Device, _ func(string, string)) string { return d.Vendor }

// mfrOr is the manufacturer function most subdrivers use: the USB
// manufacturer string, or the vendor's name when the device has none.
func mfrOr(name string) func(*Device, func(string, string)) string {
	return func(d *Device, _ func(string, string)) string {
		if d.Vendor == "" {
			return name
		}
		return d.Vendor
	}
}
