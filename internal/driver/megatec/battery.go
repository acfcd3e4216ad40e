package megatec

import (
	"strconv"

	"github.com/sysnut/sysnut/internal/driver"
)

// battery is the charge guesstimate NUT's Megatec drivers make from the
// battery voltage when the UPS reports no charge: the number of packs the
// reading stands for, and the voltages of an empty and a full battery.
type battery struct {
	packs     float64 // what a reading is multiplied by
	low, high float64 // volts; 0 while unknown
	userLow   bool    // battery.voltage.low/high came from ups.conf
}

func newBattery(p driver.Params) battery {
	b := battery{packs: 1}
	if p.UPS == nil {
		return b
	}
	for _, k := range []string{"default.", "override."} {
		if v, ok := p.Param(k + "battery.voltage.low"); ok {
			b.low, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := p.Param(k + "battery.voltage.high"); ok {
			b.high, _ = strconv.ParseFloat(v, 64)
		}
	}
	b.userLow = b.low > 0 && b.high > b.low
	return b
}

// packsTable is NUT's list of multipliers, largest first: the first whose
// product with the reading lies within 80-120% of the nominal voltage is
// the number of packs (blazer_packs, qx_initbattery).
var packsTable = []float64{120, 100, 80, 60, 48, 36, 30, 24, 18, 12, 8, 6, 4, 3, 2, 1, 0.5}

// init detects the packs from the nominal voltage and a first reading,
// and guesstimates the empty and full voltages (104/120 and 130/120 of
// nominal, published as NUT publishes them) unless ups.conf gave them.
func (b *battery) init(v *driver.Vars, nominal, reading float64) {
	if nominal <= 0 {
		return
	}
	for _, p := range packsTable {
		if p*reading > 1.2*nominal {
			continue
		}
		if p*reading >= 0.8*nominal {
			b.packs = p
		}
		break
	}
	if !b.userLow {
		b.low, b.high = 104*nominal/120, 130*nominal/120
		v.Set("battery.voltage.low", strconv.FormatFloat(b.low, 'f', 2, 64))
		v.Set("battery.voltage.high", strconv.FormatFloat(b.high, 'f', 2, 64))
	}
}

// charge publishes battery.charge from a reading, every poll. (NUT 2.8.0's
// nutdrv_qx computes it once, before it has detected the packs, and never
// again; blazer_ser, like this, every poll.)
func (b *battery) charge(v *driver.Vars, reading float64) {
	if b.low <= 0 || b.high <= b.low {
		return
	}
	c := 100 * (b.packs*reading - b.low) / (b.high - b.low)
	c = min(max(c, 0), 100)
	v.Set("battery.charge", strconv.FormatFloat(c, 'f', 0, 64))
}
