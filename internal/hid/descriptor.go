// Package hid reads USB HID report descriptors and reports the way NUT's
// usbhid-ups does (drivers/hidparser.c and libhid.c in NUT 2.8.0), so that
// a UPS's variables come out as NUT computes them: every data item of the
// descriptor becomes a Field with its usage path ("UPS.PowerSummary.
// RemainingCapacity"), report ID, bit offset and size, and its logical
// value in a report is turned into a physical one with the same ranges,
// unit exponents and quirks. It reads bytes only; the device is elsewhere.
package hid

import (
	"errors"
	"fmt"
)

// ItemType is the kind of main item a field comes from.
type ItemType uint8

// The main items that carry data.
const (
	Input   ItemType = 0x80
	Output  ItemType = 0x90
	Feature ItemType = 0xB0
)

// String is the name NUT's logs use.
func (t ItemType) String() string {
	switch t {
	case Input:
		return "Input"
	case Output:
		return "Output"
	case Feature:
		return "Feature"
	}
	return fmt.Sprintf("Unknown(%#02x)", uint8(t))
}

// Node is one step of a usage path: usage page << 16 | usage id, or
// 0x00ff0000 | n for the n-th of an indexed collection.
type Node uint32

// indexBase marks a path node that numbers the collection before it
// ("[4]" in NUT's paths): NUT reads a collection of type 0x80|n so.
const indexBase = 0x00FF0000

// indexNode is the node of the n-th of an indexed collection.
func indexNode(n uint32) Node { return Node(indexBase | n) }

// isIndex reports whether n numbers a collection rather than naming a
// usage.
func (n Node) isIndex() bool { return n&0xFFFF0000 == indexBase }

// Path is a field's usages, outermost collection first.
type Path []Node

// Field is one data item (one value) of a report.
type Field struct {
	Path     Path
	Type     ItemType
	ReportID uint8
	Offset   int // bits from the end of the report ID byte
	Size     int // bits
	// Attribute is the main item's data (constant, variable, relative,
	// null state: bit 6).
	Attribute      uint32
	LogMin, LogMax int64
	PhyMin, PhyMax int64
	// HavePhyMin and HavePhyMax: the descriptor set them (they persist,
	// as global items do).
	HavePhyMin, HavePhyMax bool
	Unit                   uint32
	UnitExp                int8
}

// Descriptor is a parsed report descriptor.
type Descriptor struct {
	Fields []Field
	// ReportLen is each report ID's length in bytes, without the ID byte:
	// the largest end of its fields, whatever their type (NUT keeps one
	// buffer per ID).
	ReportLen [256]int
}

// Limits keep a hostile or broken descriptor from costing more than a
// real one: NUT's are 10 path levels, 50 stacked usages, 500 fields.
const (
	MaxDescriptor = 4096 // HID descriptors of UPSes are up to ~1.1 KB
	MaxDepth      = 16
	MaxUsages     = 64
	MaxFields     = 1024
)

// Short item tags (type and tag bits; the size bits are masked off).
const (
	itemUsagePage  = 0x04
	itemLogMin     = 0x14
	itemLogMax     = 0x24
	itemPhyMin     = 0x34
	itemPhyMax     = 0x44
	itemUnitExp    = 0x54
	itemUnit       = 0x64
	itemReportSize = 0x74
	itemReportID   = 0x84
	itemReportCnt  = 0x94
	itemUsage      = 0x08
	itemCollection = 0xA0
	itemEndColl    = 0xC0
	itemLong       = 0xFC
)

var itemSize = [4]int{0, 1, 2, 4}

// Errors of Parse.
var (
	ErrTooLong  = errors.New("report descriptor longer than 4096 bytes")
	ErrTooDeep  = errors.New("collections nested deeper than 16")
	ErrTooMany  = errors.New("more than 1024 data fields")
	ErrNoFields = errors.New("no data fields")
)

// Parse reads a report descriptor as NUT's HIDParse does: a usage pushed
// by a Usage item names the next collection or data field; a main item
// with a report count of n makes n fields, each taking the next usage
// (or, past the last one, none: a padding "continuation" that takes room
// in the report but is no field); collection usages form the path, an
// indexed collection (a collection type >= 0x80) adds an index node.
// Local items end with each main item. A truncated last item is an error;
// everything before it is kept.
func Parse(b []byte) (*Descriptor, error) {
	if len(b) > MaxDescriptor {
		return nil, ErrTooLong
	}
	d := &Descriptor{}
	var (
		page    uint32
		usages  []Node
		path    Path
		cur     Field // global state
		count   int   // report count
		offsets = map[[2]uint8]int{}
	)
	resetLocal := func() { usages = usages[:0] }
	// next takes the usage for a collection or field: the first one
	// stacked, or 0 when none is left (NUT's UsageTab[0]).
	next := func() Node {
		if len(usages) == 0 {
			return 0
		}
		u := usages[0]
		usages = usages[1:]
		return u
	}
	for pos := 0; pos < len(b); {
		item := b[pos]
		pos++
		if item&0xFC == itemLong {
			// A long item: its size byte follows; skipped, as NUT does.
			if pos >= len(b) {
				return d, fmt.Errorf("offset %d: truncated long item", pos-1)
			}
			pos += 2 + int(b[pos])
			continue
		}
		n := itemSize[item&3]
		if pos+n > len(b) {
			return d, fmt.Errorf("offset %d: item %#02x needs %d bytes, %d left", pos-1, item, n, len(b)-pos)
		}
		var value uint32
		for i := 0; i < n; i++ {
			value |= uint32(b[pos+i]) << (8 * i)
		}
		pos += n
		switch item &^ 3 {
		case itemUsagePage:
			page = value & 0xFFFF
		case itemUsage:
			if len(usages) >= MaxUsages {
				return d, fmt.Errorf("offset %d: more than %d usages before a main item", pos-n-1, MaxUsages)
			}
			if n > 2 {
				usages = append(usages, Node(value))
			} else {
				usages = append(usages, Node(page<<16|value&0xFFFF))
			}
		case itemCollection:
			path = append(path, next())
			if value >= 0x80 {
				path = append(path, indexNode(value&0x7F))
			}
			// A field's path is its collections' and its own usage.
			if len(path) > MaxDepth-1 {
				return d, ErrTooDeep
			}
			resetLocal()
		case itemEndColl:
			// The node removed is the collection's index, if it has
			// one: then its usage goes too.
			if len(path) > 0 {
				last := path[len(path)-1]
				path = path[:len(path)-1]
				if last.isIndex() && len(path) > 0 {
					path = path[:len(path)-1]
				}
			}
			resetLocal()
		case uint8(Input), uint8(Output), uint8(Feature):
			typ := ItemType(item &^ 3)
			for i := 0; i < count; i++ {
				u := next()
				key := [2]uint8{cur.ReportID, uint8(typ)}
				off := offsets[key]
				// NUT keeps offsets in 8 bits: past bit 255 of a report
				// they wrap, for its fields and for its buffer's length
				// (a 23 x 16-bit report is 32 bytes long to NUT). The
				// same descriptor must give the same reports.
				offsets[key] = (off + cur.Size) & 0xff
				if l := (off + cur.Size + 7) / 8; l > d.ReportLen[cur.ReportID] {
					d.ReportLen[cur.ReportID] = l
				}
				if u == 0 {
					continue // padding: room in the report, no field
				}
				if len(d.Fields) >= MaxFields {
					return d, ErrTooMany
				}
				f := cur
				f.Path = append(append(Path(nil), path...), u)
				f.Type, f.Attribute, f.Offset = typ, value, off
				d.Fields = append(d.Fields, f)
			}
			resetLocal()
		case itemReportID:
			cur.ReportID = uint8(value)
		case itemReportSize:
			cur.Size = int(value & 0xFF) // NUT keeps 8 bits
		case itemReportCnt:
			count = int(value & 0xFF)
		case itemUnitExp:
			e := int8(value & 0xFF)
			if e > 7 {
				e |= -16 // a 4-bit two's complement nibble
			}
			cur.UnitExp = e
		case itemUnit:
			cur.Unit = value
		case itemLogMin:
			cur.LogMin = signed(value, n)
		case itemLogMax:
			cur.LogMax = signed(value, n)
			if cur.LogMax < cur.LogMin {
				// Firmware that overflowed into the sign bit: NUT
				// reads the maximum as unsigned.
				cur.LogMax = int64(value)
			}
		case itemPhyMin:
			cur.PhyMin, cur.HavePhyMin = signed(value, n), true
		case itemPhyMax:
			cur.PhyMax, cur.HavePhyMax = signed(value, n), true
		}
	}
	if len(d.Fields) == 0 {
		return d, ErrNoFields
	}
	return d, nil
}

// signed reads an item's data as a two's complement number of its size.
func signed(v uint32, n int) int64 {
	switch n {
	case 1:
		return int64(int8(v))
	case 2:
		return int64(int16(v))
	case 4:
		return int64(int32(v))
	}
	return int64(v)
}
