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
	// VendorIDs claim the device; a nil Claim claims them all.
	VendorIDs []uint16
	Claim     func(d *Device) bool
	Usages    hid.Table
	Rows      []Row
	// Mfr, Model and Serial give ups.mfr, ups.model and ups.serial; they
	// may set other variables (APC's firmware from its product string).
	Mfr, Model, Serial func(d *Device, set func(name, value string)) string
	// Fix repairs a descriptor the firmware gets wrong, before use.
	Fix func(d *Device, desc *hid.Descriptor)
}

// Claims reports whether the subdriver takes the device.
func (s *Subdriver) Claims(d *Device) bool {
	if s.Claim != nil {
		return s.Claim(d)
	}
	for _, v := range s.VendorIDs {
		if v == d.VendorID {
			return true
		}
	}
	return false
}

// usbSerial is the serial function most subdrivers use: the USB serial
// string as it is.
func usbSerial(d *Device, _ func(string, string)) string { return d.Serial }
