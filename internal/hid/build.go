package hid

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Spec is a field to build a report descriptor with.
type Spec struct {
	Path     Path
	Type     ItemType
	ReportID uint8
	Offset   int // bits after the report ID byte
	Size     int // bits, 1 to 32
	LogMin   int64
	LogMax   int64
	UnitExp  int8 // -8 to 7
}

// Build writes a report descriptor that has exactly these fields, in
// the collections their paths name (the outermost an application
// collection), each at its offset in its report, with constant padding
// over the bits no field has. A field stays in the collections of the
// field before it as far as their paths agree, as a device's descriptor
// groups its fields; fields are taken by report and offset, so numbering
// the reports in the order of their paths keeps a large descriptor
// small. Two fields on the same bits of a report are an error.
func Build(specs []Spec) ([]byte, error) {
	sorted := append([]Spec(nil), specs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.ReportID != b.ReportID {
			return a.ReportID < b.ReportID
		}
		return a.Offset < b.Offset
	})
	type report struct {
		t  ItemType
		id uint8
	}
	next := map[report]int{}
	var d []byte
	page := uint32(1 << 31) // none yet
	usage := func(n Node) {
		if p := uint32(n) >> 16; p != page {
			page = p
			d = append(d, 0x06, byte(p), byte(p>>8))
		}
		d = append(d, 0x0a, byte(n), byte(n>>8))
	}
	// Global items hold until changed, so each is written only when it
	// changes, in the shortest size that keeps its sign (logical extents
	// are signed): descriptors stay the size a device's would be.
	globals := map[byte]int64{}
	global := func(tag byte, v int64) {
		if old, ok := globals[tag]; ok && old == v {
			return
		}
		globals[tag] = v
		switch {
		case v >= -128 && v <= 127:
			d = append(d, tag|1, byte(v))
		case v >= -32768 && v <= 32767:
			d = append(d, tag|2)
			d = binary.LittleEndian.AppendUint16(d, uint16(v))
		default:
			d = append(d, tag|3)
			d = binary.LittleEndian.AppendUint32(d, uint32(v))
		}
	}
	var open Path // the collections open, index nodes included
	closeTo := func(keep int) {
		for j := len(open) - 1; j >= keep; j-- {
			if !open[j].isIndex() {
				d = append(d, 0xc0)
			}
		}
		open = open[:keep]
	}
	for _, s := range sorted {
		if s.Size < 1 || s.Size > 32 || len(s.Path) == 0 || s.UnitExp < -8 || s.UnitExp > 7 {
			return nil, fmt.Errorf("field %v: size %d, unit exponent %d", s.Path, s.Size, s.UnitExp)
		}
		r := report{s.Type, s.ReportID}
		if s.Offset < next[r] {
			return nil, fmt.Errorf("report %#02x: field %v at bit %d overlaps the one before", s.ReportID, s.Path, s.Offset)
		}
		coll := s.Path[:len(s.Path)-1]
		common := 0
		for common < len(open) && common < len(coll) && open[common] == coll[common] {
			common++
		}
		// An index node is the type of the collection before it: a
		// collection whose index differs is another one.
		if common > 0 && common < len(open) && open[common].isIndex() {
			common--
		}
		closeTo(common)
		for j := common; j < len(coll); j++ {
			n := coll[j]
			if n.isIndex() {
				continue
			}
			kind := byte(0x00) // physical
			if j == 0 {
				kind = 0x01 // application
			}
			if j+1 < len(coll) && coll[j+1].isIndex() {
				kind = 0x80 | byte(coll[j+1]&0x7f)
			}
			usage(n)
			d = append(d, 0xa1, kind)
		}
		open = append(open, coll[common:]...)
		global(0x84, int64(s.ReportID))
		global(0x94, 1) // report count
		if gap := s.Offset - next[r]; gap > 0 {
			// Constant bits of no usage, as many as the gap.
			for gap > 0 {
				n := min(gap, 255)
				global(0x74, int64(n))
				d = append(d, byte(s.Type)|0x01, 0x01)
				gap -= n
			}
		}
		usage(s.Path[len(s.Path)-1])
		global(0x74, int64(s.Size))
		global(0x54, int64(s.UnitExp&0x0f))
		global(0x64, 0) // no unit
		global(0x14, s.LogMin)
		global(0x24, s.LogMax)
		d = append(d, byte(s.Type)|0x01, 0x02) // data, variable, absolute
		next[r] = s.Offset + s.Size
	}
	closeTo(0)
	return d, nil
}
