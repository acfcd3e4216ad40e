package hidraw

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The feature ioctls as linux/hidraw.h defines them, for 8 bytes, and
// the formula against an ioctl x/sys/unix has (HIDIOCGRDESC, read-write
// in the same 'H' space, size 4100).
func TestIoctlNumbers(t *testing.T) {
	t.Parallel()
	if got := hidiocgfeature(8); got != 0xC0084807 {
		t.Errorf("HIDIOCGFEATURE(8) = %#x", got)
	}
	if got := hidiocsfeature(8); got != 0xC0084806 {
		t.Errorf("HIDIOCSFEATURE(8) = %#x", got)
	}
	// HIDIOCGRDESC is _IOR('H', 0x02, struct hidraw_report_descriptor):
	// read only, so clear our write bit to compare.
	if got := ioc(0x02, 4100) &^ (1 << 30); got != uintptr(unix.HIDIOCGRDESC) {
		t.Errorf("ioc(0x02, 4100) read-only = %#x, unix has %#x", got, uint32(unix.HIDIOCGRDESC))
	}
	// HIDIOCGSTRING as a C program built against linux/hiddev.h prints it.
	if hidiocgstring != 0x81044804 {
		t.Errorf("HIDIOCGSTRING = %#x", hidiocgstring)
	}
}

// TestBusPort: the hub port of a device from its sysfs name, as libusb
// numbers it.
func TestBusPort(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"3-2": "002", "1-1.4": "004", "2-1.3.12": "012", "usb3": "", "3-x": "", "1-0": ""} {
		if got := busPort(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}

// TestNodes reads a sysfs tree as the kernel lays it out for a USB UPS
// (hidraw -> HID device -> interface -> USB device), a Bluetooth
// keyboard (left out) and a virtual UPS made through uhid.
func TestNodes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	usb := filepath.Join(root, "sys/devices/pci0000:00/0000:00:14.0/usb3/3-2")
	hid := filepath.Join(usb, "3-2:1.0/0003:051D:0002.0001")
	for name, value := range map[string]string{
		"idVendor": "051d\n", "idProduct": "0002\n", "manufacturer": "American Power Conversion\n",
		"product": "Back-UPS 500 FW: 6.5.I USB FW: c1 \n", "serial": "AB0427123456\n", "busnum": "3\n", "devnum": "2\n",
	} {
		if err := os.MkdirAll(usb, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(usb, name), []byte(value), 0o644)
	}
	os.MkdirAll(hid, 0o755)
	os.MkdirAll(filepath.Join(usb, "3-2:1.0/usbmisc/hiddev0"), 0o755)
	class := filepath.Join(root, "sys/class/hidraw/hidraw3")
	os.MkdirAll(class, 0o755)
	if err := os.Symlink(hid, filepath.Join(class, "device")); err != nil {
		t.Fatal(err)
	}
	// A Bluetooth keyboard: no USB device above it.
	bt := filepath.Join(root, "sys/devices/virtual/bt/0005:046D:B342.0002")
	os.MkdirAll(bt, 0o755)
	os.MkdirAll(filepath.Join(root, "sys/class/hidraw/hidraw4"), 0o755)
	os.Symlink(bt, filepath.Join(root, "sys/class/hidraw/hidraw4/device"))

	os.WriteFile(filepath.Join(bt, "uevent"), []byte("HID_ID=0005:0000046D:0000B342\nHID_NAME=Keyboard K480\n"), 0o644)
	// A virtual UPS (uhid) that says it is on USB: its uevent is all
	// there is.
	uhid := filepath.Join(root, "sys/devices/virtual/misc/uhid/0003:051D:0002.0003")
	os.MkdirAll(uhid, 0o755)
	os.WriteFile(filepath.Join(uhid, "uevent"), []byte("DRIVER=hid-generic\nHID_ID=0003:0000051D:00000002\nHID_NAME=sysnut virtual UPS\nHID_PHYS=\nHID_UNIQ=VIRT0001\nMODALIAS=hid:b0003g0001v0000051Dp00000002\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "sys/class/hidraw/hidraw5"), 0o755)
	os.Symlink(uhid, filepath.Join(root, "sys/class/hidraw/hidraw5/device"))

	nodes, err := Nodes(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Node{{Path: filepath.Join(root, "dev/hidraw3"), VendorID: 0x051d, ProductID: 2,
		Manufacturer: "American Power Conversion", Product: "Back-UPS 500 FW: 6.5.I USB FW: c1 ",
		Serial: "AB0427123456", Bus: "003", Device: "002", BusPort: "002", Hiddev: filepath.Join(root, "dev/usb/hiddev0")},
		{Path: filepath.Join(root, "dev/hidraw5"), VendorID: 0x051d, ProductID: 2, Product: "sysnut virtual UPS", Serial: "VIRT0001"}}
	if len(nodes) != 2 || nodes[0] != want[0] || nodes[1] != want[1] {
		t.Errorf("nodes %+v, want %+v", nodes, want)
	}
}
