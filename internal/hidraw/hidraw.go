// Package hidraw is the thin Linux layer under the usbhid-ups driver:
// open /dev/hidrawN, read its report descriptor and identity, get and set
// feature reports, read input reports; find a UPS's node through sysfs.
// The kernel's HID driver stays bound (UPower keeps working beside it);
// no libusb, no cgo. Everything above it is tested through a fake; this
// layer is kept small enough to check by reading.
package hidraw

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The length-encoded ioctls x/sys/unix lacks (linux/hidraw.h):
// HIDIOCSFEATURE(len) = _IOC(_IOC_WRITE|_IOC_READ, 'H', 0x06, len),
// HIDIOCGFEATURE(len) = _IOC(_IOC_WRITE|_IOC_READ, 'H', 0x07, len).
func ioc(nr, size uintptr) uintptr {
	const dirReadWrite = 3 // _IOC_READ | _IOC_WRITE
	return dirReadWrite<<30 | size<<16 | 'H'<<8 | nr
}

// HIDIOCSFEATURE and HIDIOCGFEATURE for a buffer of n bytes.
func hidiocsfeature(n int) uintptr { return ioc(0x06, uintptr(n)) }
func hidiocgfeature(n int) uintptr { return ioc(0x07, uintptr(n)) }

// hiddevString is struct hiddev_string_descriptor (linux/hiddev.h).
type hiddevString struct {
	Index int32
	Value [256]byte
}

// HIDIOCGSTRING is _IOR('H', 0x04, struct hiddev_string_descriptor).
const hidiocgstring = 2<<30 | uintptr(unsafe.Sizeof(hiddevString{}))<<16 | 'H'<<8 | 0x04

// ErrNoString is a string descriptor the device did not give (an index
// it lacks, or 0): NUT publishes such a string as empty.
var ErrNoString = errors.New("no such string descriptor")

// ReadString reads a USB string descriptor through the UPS's hiddev node
// (HIDIOCGSTRING: the kernel asks the device, which stays bound to its
// HID driver; nothing is claimed). The kernel gives it as UTF-8.
func ReadString(hiddev string, index int) (string, error) {
	f, err := os.OpenFile(hiddev, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", err
	}
	d := &Dev{f: f, Path: hiddev}
	defer d.Close()
	req := hiddevString{Index: int32(index)}
	var n uintptr
	err = d.fd(func(fd int) error {
		r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), hidiocgstring, uintptr(unsafe.Pointer(&req)))
		if errno != 0 {
			return errno
		}
		n = r
		return nil
	})
	switch {
	case errors.Is(err, unix.EINVAL):
		return "", ErrNoString
	case err != nil:
		return "", fmt.Errorf("%s: string %d: %w", hiddev, index, err)
	}
	return string(req.Value[:min(int(n), len(req.Value))]), nil
}

// Dev is an open hidraw node.
type Dev struct {
	f    *os.File
	Path string
}

// Open opens a hidraw node for reading and writing.
func Open(path string) (*Dev, error) {
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &Dev{f: f, Path: path}, nil
}

// Close closes the node.
func (d *Dev) Close() error { return d.f.Close() }

// fd runs fn with the file descriptor.
func (d *Dev) fd(fn func(fd int) error) error {
	rc, err := d.f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return gone(ferr)
}

// Descriptor reads the report descriptor (HIDIOCGRDESCSIZE, HIDIOCGRDESC).
func (d *Dev) Descriptor() ([]byte, error) {
	var out []byte
	err := d.fd(func(fd int) error {
		size, err := unix.IoctlGetInt(fd, unix.HIDIOCGRDESCSIZE)
		if err != nil {
			return err
		}
		desc := unix.HIDRawReportDescriptor{Size: uint32(size)}
		if err := unix.IoctlHIDGetDesc(fd, &desc); err != nil {
			return err
		}
		out = append([]byte(nil), desc.Value[:min(size, len(desc.Value))]...)
		return nil
	})
	return out, err
}

// Info is the bus type, vendor and product (HIDIOCGRAWINFO).
func (d *Dev) Info() (bus uint32, vendor, product uint16, err error) {
	err = d.fd(func(fd int) error {
		info, err := unix.IoctlHIDGetRawInfo(fd)
		if err != nil {
			return err
		}
		bus, vendor, product = info.Bustype, uint16(info.Vendor), uint16(info.Product)
		return nil
	})
	return
}

// GetFeature reads feature report id into a buffer of n bytes (the ID
// byte included) and returns what the device sent, ID first.
func (d *Dev) GetFeature(id uint8, n int) ([]byte, error) {
	buf := make([]byte, max(n, 2))
	buf[0] = id
	var got int
	err := d.fd(func(fd int) error {
		r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), hidiocgfeature(len(buf)), uintptr(unsafe.Pointer(&buf[0])))
		if errno != 0 {
			return errno
		}
		got = int(r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get feature report %#02x: %w", id, err)
	}
	return buf[:min(got, len(buf))], nil
}

// SetFeature sends a feature report, its ID first.
func (d *Dev) SetFeature(report []byte) error {
	if len(report) == 0 {
		return errors.New("empty report")
	}
	err := d.fd(func(fd int) error {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), hidiocsfeature(len(report)), uintptr(unsafe.Pointer(&report[0])))
		if errno != 0 {
			return errno
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set feature report %#02x: %w", report[0], err)
	}
	return nil
}

// ReadInput waits up to timeout for one input report (an interrupt
// transfer), ID first; nil when none came.
func (d *Dev) ReadInput(timeout time.Duration) ([]byte, error) {
	if err := d.f.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	buf := make([]byte, 256)
	n, err := d.f.Read(buf)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, nil
	}
	if err != nil {
		return nil, gone(err)
	}
	return buf[:n], nil
}

// ErrGone is a device that was unplugged.
var ErrGone = errors.New("device unplugged")

// gone maps the errors of a vanished device (ENODEV, EIO, ESHUTDOWN) to
// ErrGone, keeping the original.
func gone(err error) error {
	if errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.EIO) || errors.Is(err, syscall.ESHUTDOWN) {
		return fmt.Errorf("%w: %v", ErrGone, err)
	}
	return err
}

// Node is a hidraw node and the USB device above it, from sysfs.
type Node struct {
	Path                          string // /dev/hidrawN
	VendorID, ProductID           uint16
	Manufacturer, Product, Serial string
	Bus, Device                   string // busnum, devnum: 003, 002
	// BusPort is the port of the hub the device is plugged into, as
	// libusb_get_port_number gives it and NUT's busport matches it:
	// "002" for sysfs's 3-2, "004" for 1-1.4; "" when unknown.
	BusPort string
	// Hiddev is the same interface's hiddev node (/dev/usb/hiddevN),
	// which reads string descriptors; "" when the kernel made none.
	Hiddev string
}

// busPort is the last port number of a USB device's sysfs name (its
// path of hub ports: BUS-PORT[.PORT...]), formatted as NUT does.
func busPort(name string) string {
	i := strings.LastIndexAny(name, "-.")
	if i < 0 {
		return ""
	}
	port, err := strconv.Atoi(name[i+1:])
	if err != nil || port <= 0 || port > 255 {
		return ""
	}
	return fmt.Sprintf("%03d", port)
}

// virtualUSB reads a HID device's uevent (HID_ID=BUS:VENDOR:PRODUCT,
// HID_NAME, HID_UNIQ) for one with no USB device above it; ok only for
// bus 0003 (BUS_USB), as a uhid UPS created for a test says. Its name
// stands for the product; it has no manufacturer, bus or port.
func virtualUSB(dev string) (Node, bool) {
	b, err := os.ReadFile(filepath.Join(dev, "uevent"))
	if err != nil {
		return Node{}, false
	}
	var n Node
	ok := false
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "HID_ID":
			var bus, vendor, product uint32
			if _, err := fmt.Sscanf(v, "%x:%x:%x", &bus, &vendor, &product); err == nil && bus == 0x03 {
				n.VendorID, n.ProductID, ok = uint16(vendor), uint16(product), true
			}
		case "HID_NAME":
			n.Product = v
		case "HID_UNIQ":
			n.Serial = v
		}
	}
	return n, ok
}

// Nodes lists the hidraw nodes of USB devices, reading sysfs under root
// ("/" on a real system).
func Nodes(root string) ([]Node, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "sys/class/hidraw/hidraw*"))
	if err != nil {
		return nil, err
	}
	var out []Node
	for _, dir := range dirs {
		n := Node{Path: filepath.Join(root, "dev", filepath.Base(dir))}
		// device -> the HID device; its parents: the interface, then the
		// USB device with idVendor and the strings.
		dev, err := filepath.EvalSymlinks(filepath.Join(dir, "device"))
		if err != nil {
			continue
		}
		usb := ""
		for p := filepath.Dir(dev); len(p) > len(root); p = filepath.Dir(p) {
			if _, err := os.Stat(filepath.Join(p, "idVendor")); err == nil {
				usb = p
				break
			}
		}
		if usb == "" {
			// No USB device above it: a virtual HID device (uhid) that
			// says it is on USB is taken by what it told the kernel;
			// Bluetooth and I2C devices are not.
			if v, ok := virtualUSB(dev); ok {
				v.Path = n.Path
				out = append(out, v)
			}
			continue
		}
		read := func(name string) string {
			b, _ := os.ReadFile(filepath.Join(usb, name))
			return strings.TrimRight(string(b), "\n")
		}
		var v, p uint64
		fmt.Sscanf(read("idVendor"), "%x", &v)
		fmt.Sscanf(read("idProduct"), "%x", &p)
		n.VendorID, n.ProductID = uint16(v), uint16(p)
		n.Manufacturer, n.Product, n.Serial = read("manufacturer"), read("product"), read("serial")
		n.Bus, n.Device = fmt.Sprintf("%03s", read("busnum")), fmt.Sprintf("%03s", read("devnum"))
		n.BusPort = busPort(filepath.Base(usb))
		// The HID device's parent is the USB interface, where the
		// kernel's hiddev driver registers its node too.
		if h, _ := filepath.Glob(filepath.Join(filepath.Dir(dev), "usbmisc", "hiddev*")); len(h) > 0 {
			n.Hiddev = filepath.Join(root, "dev/usb", filepath.Base(h[0]))
		}
		out = append(out, n)
	}
	return out, nil
}
