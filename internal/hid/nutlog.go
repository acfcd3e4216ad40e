package hid

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
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
	pathLine  = regexp.MustCompile(`^Path: ([^,]*), Type: (\w+), ReportID: 0x([0-9a-fA-F]{2}), Offset: (\d+), Size: (\d+)(, Value: (\S+))?`)
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
	if l.Descriptor == nil {
		return nil, fmt.Errorf("no \"Report Descriptor:\" line")
	}
	return l, nil
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
