package usbhid

import (
	"fmt"
	"io"
	"strconv"

	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/hid"
)

// ExploreHID is NUT's explore subdriver, taken when ups.conf gives the
// explore flag (with vendorid, which NUT requires beside it): it claims
// whatever device vendorid names and maps nothing, so that a UPS no
// subdriver knows can be looked at; Explore prints what it has.
var ExploreHID = &Subdriver{
	Name:   "EXPLORE HID 0.2",
	Claim:  func(*Device, bool) bool { return false },
	Mfr:    usbVendor,
	Model:  usbProduct,
	Serial: usbSerial,
}

// Explore prints what the UPS of a ups.conf section says, in the shape of
// NUT's "usbhid-ups -DDDDD -x explore" log: the USB identity, the report
// descriptor, and every field with its usage path (standard names, as
// NUT's explore subdriver uses), report, offset, size and value, each
// after the bytes of the report it came from. A user can send it in, and
// a ups.conf section whose port is this output replays the UPS.
func Explore(w io.Writer, p driver.Params) error {
	proto, err := New(p)
	if err != nil {
		return err
	}
	conn, dev, err := proto.(*Protocol).open()
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(w, "- VendorID: %04x\n- ProductID: %04x\n- Manufacturer: %s\n- Product: %s\n- Serial Number: %s\nDevice matches\n",
		dev.VendorID, dev.ProductID, dev.Vendor, dev.Product, dev.Serial)
	raw, err := conn.Descriptor()
	if err != nil {
		return fmt.Errorf("report descriptor: %w", err)
	}
	hexLines(w, "Report Descriptor", raw)
	desc, err := hid.Parse(raw)
	if err != nil {
		return fmt.Errorf("report descriptor: %w", err)
	}
	names := hid.NewNames(hid.StandardUsages)
	fmt.Fprintf(w, "%d HID objects found\n", len(desc.Fields))
	read := map[uint8][]byte{}
	for i := range desc.Fields {
		f := &desc.Fields[i]
		report, ok := read[f.ReportID]
		if !ok {
			n := desc.ReportLen[f.ReportID] + 1
			b, err := conn.GetFeature(f.ReportID, n)
			switch {
			case err != nil:
				fmt.Fprintf(w, "Can't retrieve Report %02x: %v\n", f.ReportID, err)
			case len(b) != n:
				hexLines(w, "Report[err]", b)
			default:
				hexLines(w, "Report[get]", b)
			}
			if err == nil {
				report = make([]byte, max(n, len(b)))
				copy(report, b)
			}
			read[f.ReportID] = report
		} else if report != nil {
			hexLines(w, "Report[buf]", report)
		}
		line := fmt.Sprintf("Path: %s, Type: %s, ReportID: 0x%02x, Offset: %d, Size: %d",
			names.String(f.Path), f.Type, f.ReportID, f.Offset, f.Size)
		if v, ok := f.Logical(report); ok && report != nil {
			line += ", Value: " + strconv.FormatFloat(f.Physical(v), 'g', 6, 64)
		}
		fmt.Fprintln(w, line)
	}
	return nil
}

// hexLines prints bytes as NUT's upsdebug_hex does: a count, then the
// bytes, 16 a line.
func hexLines(w io.Writer, what string, b []byte) {
	fmt.Fprintf(w, "%s: (%d bytes) =>", what, len(b))
	for i, c := range b {
		if i > 0 && i%16 == 0 {
			fmt.Fprint(w, "\n")
		}
		fmt.Fprintf(w, " %02x", c)
	}
	fmt.Fprintln(w)
}
