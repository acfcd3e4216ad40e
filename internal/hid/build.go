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

// indexNode marks a path node that numbers the collection before it
// ("[4]" in NUT's paths): NUT reads a collection of type 0x80|n so.
const indexNode = 0x00ff0000

// Build writes a report descriptor that has exactly these fields: each
// in its own chain of the collections its path names (the outermost an
// application collection), at its offset in its report, with constant
// padding over the bits no field has. Two fields on the same bits of a
// report are an error.
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
	item4 := func(tag byte, v int64) {
		d = append(d, tag|3)
		d = binary.LittleEndian.AppendUint32(d, uint32(v))
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
		open := 0
		for j, n := range coll {
			if n&0xffff0000 == indexNode {
				continue
			}
			kind := byte(0x00) // physical
			if j == 0 {
				kind = 0x01 // application
			}
			if j+1 < len(coll) && coll[j+1]&0xffff0000 == indexNode {
				kind = 0x80 | byte(coll[j+1]&0x7f)
			}
			usage(n)
			d = append(d, 0xa1, kind)
			open++
		}
		d = append(d, 0x85, s.ReportID, 0x95, 0x01)
		if gap := s.Offset - next[r]; gap > 0 {
			// Constant bits of no usage, as many as the gap.
			for gap > 0 {
				n := min(gap, 255)
				d = append(d, 0x75, byte(n), byte(s.Type)|0x01, 0x01)
				gap -= n
			}
		}
		usage(s.Path[len(s.Path)-1])
		d = append(d, 0x75, byte(s.Size), 0x55, byte(s.UnitExp)&0x0f, 0x65, 0x00)
		item4(0x14, s.LogMin)
		item4(0x24, s.LogMax)
		d = append(d, byte(s.Type)|0x01, 0x02) // data, variable, absolute
		next[r] = s.Offset + s.Size
		for range open {
			d = append(d, 0xc0)
		}
	}
	return d, nil
}
