package hid

// Logical reads the field's value from a report whose first byte is the
// report ID, as NUT's GetValue does: the bits are masked to the width
// that LogMin..LogMax needs (devices put garbage above it), sign-extended
// when LogMin is negative, and clamped into LogMin..LogMax. ok is false
// when the report is too short to hold the field.
func (f *Field) Logical(report []byte) (v int64, ok bool) {
	if f.Size <= 0 || f.Size > 32 || len(report) < 1+(f.Offset+f.Size+7)/8 {
		return 0, false
	}
	var raw uint64
	for i := 0; i < f.Size; i++ {
		bit := f.Offset + 8 + i
		if report[bit>>3]&(1<<(bit&7)) != 0 {
			raw |= 1 << i
		}
	}
	mag := func(x int64) uint64 {
		if x >= 0 {
			return uint64(x)
		}
		return uint64(-(x + 1))
	}
	m := max(mag(f.LogMax), mag(f.LogMin))
	sign := uint64(1) << hibit(m)
	mask := sign - 1
	if f.LogMin < 0 {
		mask |= sign
	}
	raw &= mask
	v = int64(raw)
	if f.LogMin < 0 && raw&sign != 0 {
		v = int64(raw | ^mask)
	}
	return min(max(v, f.LogMin), f.LogMax), true
}

// hibit is NUT's: 1 + the position of x's leftmost 1 bit, 0 if none.
func hibit(x uint64) uint {
	var res uint
	for x > 0xFF {
		x >>= 8
		res += 8
	}
	for x > 0 {
		x >>= 1
		res++
	}
	return res
}

// SetLogical writes a value into the field's bits of a report whose
// first byte is the report ID (NUT's SetValue). It reports false when the
// report is too short.
func (f *Field) SetLogical(report []byte, v int64) bool {
	if f.Size <= 0 || f.Size > 32 || len(report) < 1+(f.Offset+f.Size+7)/8 {
		return false
	}
	for i := 0; i < f.Size; i++ {
		bit := f.Offset + 8 + i
		if v&(1<<i) != 0 {
			report[bit>>3] |= 1 << (bit & 7)
		} else {
			report[bit>>3] &^= 1 << (bit & 7)
		}
	}
	return true
}

// units are the units NUT knows and the exponent it takes off each
// (libhid.c HIDUnits: volts, volt-amperes and watts are SI units with an
// exponent of 7 built in).
var units = map[uint32]int8{
	0x00F0D121: 7, // volt
	0x0000D121: 7, // volt-ampere, watt
}

// Exponent is the power of ten NUT multiplies the physical value by:
// the unit exponent, less what the unit itself carries.
func (f *Field) Exponent() int8 { return f.UnitExp - units[f.Unit] }

// Physical converts a logical value as NUT's logical_to_physical does,
// then applies Exponent. Without both physical extents (or with both 0)
// the logical value is the physical one; with nonsensical extents too.
func (f *Field) Physical(logical int64) float64 {
	p := float64(logical)
	if f.HavePhyMin && f.HavePhyMax && (f.PhyMin != 0 || f.PhyMax != 0) && f.PhyMax > f.PhyMin && f.LogMax > f.LogMin {
		factor := float64(f.PhyMax-f.PhyMin) / float64(f.LogMax-f.LogMin)
		p = float64(logical-f.LogMin)*factor + float64(f.PhyMin)
		p = min(max(p, float64(f.PhyMin)), float64(f.PhyMax))
	}
	return p * pow10(f.Exponent())
}

// Logicalize is Physical's inverse, for writing a value (SET VAR, a
// command), as NUT's HIDSetDataValue and physical_to_logical: the unit
// exponent taken off, the physical extents mapped back with truncation
// and clamped; without physical extents the value is written as it is,
// even beyond LogMin..LogMax (a command's -1 in an unsigned field is all
// ones, as NUT sends it).
func (f *Field) Logicalize(physical float64) int64 {
	p := physical / pow10(f.Exponent())
	if !f.HavePhyMin || !f.HavePhyMax || (f.PhyMin == 0 && f.PhyMax == 0) || f.PhyMax <= f.PhyMin || f.LogMax <= f.LogMin {
		return int64(p)
	}
	factor := float64(f.LogMax-f.LogMin) / float64(f.PhyMax-f.PhyMin)
	l := int64((p-float64(f.PhyMin))*factor) + f.LogMin
	return min(max(l, f.LogMin), f.LogMax)
}

// pow10 is NUT's exponent(10, e): repeated multiplication or division,
// which rounds as NUT's does.
func pow10(e int8) float64 {
	r := 1.0
	for ; e > 0; e-- {
		r *= 10
	}
	for ; e < 0; e++ {
		r *= 1.0 / 10
	}
	return r
}
