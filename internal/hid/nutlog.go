package hid

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// NUTLog is what a NUT usbhid-ups debug log (-DDDDD, as users attach to
// issues and as NUT's device dump library keeps, "# "-commented) records
// of a device: its report descriptor, and in order the reports it read
// and the fields NUT printed from them.
type NUTLog struct {
	Descriptor []byte
	Events     []LogEvent
	// Objects is NUT's count of data fields ("35 HID objects found"), -1
	// when the log does not say.
	Objects int
	// The USB device NUT matched ("- VendorID: 051d", "- Manufacturer:
	// ...").
	VendorID, ProductID           uint16
	Manufacturer, Product, Serial string
	// Synthesized: the log had no descriptor, and Synthesize built one
	// (and the reports) from its Path lines.
	Synthesized bool
}

// LogEvent is one report read or one field printed.
type LogEvent struct {
	Line int
	// A report: Kind is "get" (read from the device), "err" (read, but
	// shorter than the descriptor says: NUT uses it, zero-padded), "buf"
	// (reused from the buffer) or "int" (an interrupt report), Report its
	// bytes (the report ID first).
	Kind   string
	Report []byte
	// A field: "Path: ..., Type: ..., ReportID: ..., Offset: ..., Size:
	// ..., Value: ..." (HasValue false when NUT could not read it).
	Path     string
	Type     string
	ReportID uint8
	Offset   int
	Size     int
	Value    string
	HasValue bool
}

var (
	// An optional "# ", an optional timestamp, an optional "[D3]".
	logPrefix = regexp.MustCompile(`^\s*#?\s*(\d+\.\d+\s+)?(\[D\d\]\s*)?`)
	hexBytes  = regexp.MustCompile(`^([0-9a-fA-F]{2}\s*)+$`)
	counted   = regexp.MustCompile(`^(Report Descriptor|Report\[(get|buf|int|err)\]): \((\d+) bytes\) =>\s*(.*)$`)
	usbField  = regexp.MustCompile(`^- (VendorID|ProductID|Manufacturer|Product|Serial Number): (.*)$`)
	objects   = regexp.MustCompile(`^(\d+) HID objects found`)
	// upsc's lines, in a device dump: the USB identity, for a log that
	// does not list the devices NUT checked (-D).
	upscID   = regexp.MustCompile(`^(ups\.vendorid|ups\.productid|device\.mfr|device\.model|device\.serial): (.*)$`)
	pathLine = regexp.MustCompile(`^Path: ([^,]*), Type: (\w+), ReportID: 0x([0-9a-fA-F]{2}), Offset: (\d+), Size: (\d+)(, Value: (\S+))?`)
)

// MaxLogLine bounds a line of a log (descriptor hex lines are ~80 bytes).
const MaxLogLine = 64 << 10

// ReadNUTLog reads a log. Lines it does not know are skipped; a
// malformed line it does know is an error naming the line.
func ReadNUTLog(r io.Reader) (*NUTLog, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), MaxLogLine)
	l := &NUTLog{Objects: -1}
	var (
		pending  *[]byte // the hex being collected
		want     int     // bytes it needs
		pendLine int
	)
	num := 0
	matched := false
	upsc := map[string]string{}
	for sc.Scan() {
		num++
		raw := logPrefix.ReplaceAllString(sc.Text(), "")
		line := strings.TrimRight(raw, " \t\r")
		if pending != nil && len(*pending) < want && line != "" && hexBytes.MatchString(line) {
			b, err := hex.DecodeString(strings.Join(strings.Fields(line), ""))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", num, err)
			}
			*pending = append(*pending, b...)
			continue
		}
		if pending != nil && len(*pending) != want {
			return nil, fmt.Errorf("line %d: %d bytes announced, %d given", pendLine, want, len(*pending))
		}
		pending = nil
		if m := counted.FindStringSubmatch(line); m != nil {
			n, err := strconv.Atoi(m[3])
			if err != nil || n > MaxDescriptor {
				return nil, fmt.Errorf("line %d: bad byte count %q", num, m[3])
			}
			b, err := hex.DecodeString(strings.Join(strings.Fields(m[4]), ""))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", num, err)
			}
			if m[1] == "Report Descriptor" {
				l.Descriptor = b
				pending = &l.Descriptor
			} else {
				l.Events = append(l.Events, LogEvent{Line: num, Kind: m[2], Report: b})
				pending = &l.Events[len(l.Events)-1].Report
			}
			want, pendLine = n, num
			continue
		}
		// NUT lists each USB device it checks; the last one listed
		// before "Device matches" is the UPS. The product string keeps
		// its trailing spaces (APC's firmware fields end with one).
		if m := usbField.FindStringSubmatch(strings.TrimRight(raw, "\r")); m != nil && !matched {
			l.setUSB(m[1], m[2])
			continue
		}
		if line == "Device matches" {
			matched = true
		}
		if m := upscID.FindStringSubmatch(sc.Text()); m != nil {
			upsc[m[1]] = m[2]
			continue
		}
		if m := objects.FindStringSubmatch(line); m != nil {
			l.Objects, _ = strconv.Atoi(m[1])
			continue
		}
		if m := pathLine.FindStringSubmatch(line); m != nil {
			id, _ := strconv.ParseUint(m[3], 16, 8)
			off, err1 := strconv.Atoi(m[4])
			size, err2 := strconv.Atoi(m[5])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("line %d: bad offset or size", num)
			}
			l.Events = append(l.Events, LogEvent{Line: num, Path: m[1], Type: m[2], ReportID: uint8(id),
				Offset: off, Size: size, Value: m[7], HasValue: m[6] != ""})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", num+1, err)
	}
	if pending != nil && len(*pending) != want {
		return nil, fmt.Errorf("line %d: %d bytes announced, %d given", pendLine, want, len(*pending))
	}
	if l.VendorID == 0 && upsc["ups.vendorid"] != "" {
		l.setUSB("VendorID", upsc["ups.vendorid"])
		l.setUSB("ProductID", upsc["ups.productid"])
		l.Manufacturer, l.Product, l.Serial = upsc["device.mfr"], upsc["device.model"], upsc["device.serial"]
	}
	if l.Descriptor == nil && !l.hasValues() {
		return nil, fmt.Errorf("no \"Report Descriptor:\" line, and no Path line with a value")
	}
	return l, nil
}

// hasValues says whether a Path line printed a value.
func (l *NUTLog) hasValues() bool {
	for _, e := range l.Events {
		if e.Path != "" && e.HasValue {
			return true
		}
	}
	return false
}

// Reports returns the last report the log read for each report ID, as a
// recorded device would answer GET_REPORT.
func (l *NUTLog) Reports() map[uint8][]byte {
	out := map[uint8][]byte{}
	for _, e := range l.Events {
		if (e.Kind == "get" || e.Kind == "err") && len(e.Report) > 0 {
			out[e.Report[0]] = e.Report
		}
	}
	return out
}

// setUSB records one line of a device NUT checked; a VendorID line
// starts a new device.
func (l *NUTLog) setUSB(key, value string) {
	switch key {
	case "VendorID":
		n, _ := strconv.ParseUint(strings.TrimSpace(value), 16, 16)
		*l = NUTLog{Descriptor: l.Descriptor, Events: l.Events, Objects: l.Objects, VendorID: uint16(n)}
	case "ProductID":
		n, _ := strconv.ParseUint(strings.TrimSpace(value), 16, 16)
		l.ProductID = uint16(n)
	case "Manufacturer":
		l.Manufacturer = value
	case "Product":
		l.Product = value
	case "Serial Number":
		l.Serial = value
	}
}

// Synthesize gives a log that has Path lines but no descriptor (NUT's
// usbhid-ups at -D or -DD, as older reports in NUT's device dump library
// have it) a descriptor and reports of its own, built from those lines:
// each field at its report, offset and size, and the last value NUT
// printed for it, as the logical value with a unit exponent for its
// decimals (no physical extents), signed if it is negative. A value
// then comes out of the field as NUT printed it. names reads the
// paths; a path it cannot read, or a field printed without a value, is
// left out. It is an error when no field is left.
func (l *NUTLog) Synthesize(names *Names) error {
	type key struct {
		t      ItemType
		id     uint8
		offset int
	}
	specs := map[key]*Spec{}
	values := map[key]int64{}
	var order []key
	for _, e := range l.Events {
		if e.Path == "" || !e.HasValue {
			continue
		}
		t, ok := map[string]ItemType{"Input": Input, "Output": Output, "Feature": Feature}[e.Type]
		if !ok {
			continue
		}
		p, err := names.Parse(e.Path)
		if err != nil {
			continue
		}
		v, exp, ok := decimal(e.Value)
		if !ok || e.Size < 1 || e.Size > 32 || e.Offset < 0 || e.Offset >= maxReportBits {
			continue
		}
		k := key{t, e.ReportID, e.Offset}
		s := specs[k]
		if s == nil {
			s = &Spec{Path: p, Type: t, ReportID: e.ReportID, Offset: e.Offset, Size: e.Size}
			specs[k] = s
			order = append(order, k)
		}
		if int8(exp) < s.UnitExp {
			s.UnitExp = int8(exp) // the most decimals any value had
		}
		values[k] = v * pow10i(exp-int(s.UnitExp))
	}
	if len(order) == 0 {
		return fmt.Errorf("no descriptor, and no Path line with a value to build one from")
	}
	if len(order) > MaxFields {
		return fmt.Errorf("%d fields: more than a descriptor may have (%d)", len(order), MaxFields)
	}
	var list []Spec
	for _, k := range order {
		s := specs[k]
		half := int64(1) << min(s.Size-1, 30)
		s.LogMin, s.LogMax = 0, 2*half-1
		if values[k] < 0 {
			s.LogMin, s.LogMax = -half, half-1
		}
		list = append(list, *s)
	}
	desc, err := Build(list)
	if err != nil {
		return err
	}
	if len(desc) > MaxDescriptor {
		return fmt.Errorf("the descriptor built from %d fields would be %d bytes, more than %d", len(list), len(desc), MaxDescriptor)
	}
	d, err := Parse(desc)
	if err != nil {
		return err
	}
	l.Descriptor = desc
	reports := map[uint8][]byte{}
	for _, f := range d.Fields {
		k := key{f.Type, f.ReportID, f.Offset}
		v, ok := values[k]
		if !ok {
			continue // padding
		}
		b := reports[f.ReportID]
		if b == nil {
			b = make([]byte, d.ReportLen[f.ReportID]+1)
			b[0] = f.ReportID
			reports[f.ReportID] = b
		}
		f.SetLogical(b, v)
	}
	ids := make([]int, 0, len(reports))
	for id := range reports {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	// Report bytes the log may have are of a descriptor it does not
	// give: the built reports replace them.
	kept := l.Events[:0]
	for _, e := range l.Events {
		if e.Report == nil {
			kept = append(kept, e)
		}
	}
	l.Events = kept
	for _, id := range ids {
		l.Events = append(l.Events, LogEvent{Kind: "get", Report: reports[uint8(id)]})
	}
	l.Synthesized = true
	return nil
}

// maxReportBits bounds a field's offset in a log: no UPS report comes
// near 4 KiB.
const maxReportBits = 8 << 12

// decimal reads a value NUT printed ("%g": 27.5, 100, -1, 1e+06) as an
// integer and a power of ten.
func decimal(s string) (v int64, exp int, ok bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, 0, false
	}
	for exp = 0; exp > -7; exp-- {
		if x := f * math.Pow10(-exp); x == math.Trunc(x) && math.Abs(x) < 1<<31 {
			return int64(x), exp, true
		}
	}
	return 0, 0, false
}

func pow10i(n int) int64 {
	r := int64(1)
	for range n {
		r *= 10
	}
	return r
}
