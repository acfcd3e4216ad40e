package interop

import (
	"fmt"
	"testing"

	"github.com/sysnut/sysnut/internal/upssim"
)

// TestMegatecMatchesNUT runs NUT 2.8.0's own nutdrv_qx and blazer_ser and
// ours under the same names, each on a simulated Megatec UPS of its own (a
// pty), behind NUT's upsd, and compares what NUT's clients print for each.
func TestMegatecMatchesNUT(t *testing.T) {
	for _, name := range []string{"nutdrv_qx", "blazer_ser"} {
		t.Run(name, func(t *testing.T) { megatecMatchesNUT(t, name) })
	}
}

// megatecBetter are the lines where sysnut deliberately differs, per
// driver; ups-driver(8) says so.
var megatecBetter = map[string]map[string]string{
	"nutdrv_qx": {
		// NUT 2.8.0's nutdrv_qx computes the charge once, before it has
		// detected how many packs a reading stands for (a Megatec UPS
		// reporting its cell voltage shows 0 for ever); sysnut, like
		// blazer_ser, recomputes it every poll with the packs detected.
		"battery.charge": "computed every poll with the detected packs",
	},
}

func megatecMatchesNUT(t *testing.T, drv string) {
	var conf []string
	for range 2 {
		sim := upssim.NewMegatec()
		tty, err := sim.Serve()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sim.Unplug)
		conf = append(conf, fmt.Sprintf(" driver = %s\n port = %s\n%s", drv, tty, map[string]string{"nutdrv_qx": " protocol = megatec\n"}[drv]))
	}
	p := startDriverPair(t, drv, conf[0], conf[1])
	p.better = megatecBetter[drv]
	p.compare(`ups.delay.shutdown "5"`, `ups.delay.shutdown "700"`, `ups.delay.start "abc"`, `ups.firmware "x"`, `input.voltage "1"`)
}
