package usbhid_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/hid"
)

// FuzzEngine: whatever descriptor and reports a device sends (the real
// ones as seeds), every subdriver's walks, input reports, commands and SET
// neither panic nor publish a status outside NUT's words.
func FuzzEngine(f *testing.F) {
	data, err := os.ReadFile("../../hid/testdata/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev")
	if err != nil {
		f.Fatal(err)
	}
	log, err := hid.ReadNUTLog(bytes.NewReader(data))
	if err != nil {
		f.Fatal(err)
	}
	var all []byte
	for _, r := range log.Reports() {
		all = append(all, r...)
	}
	f.Add(log.Descriptor, all, []byte{0x06, 0x00, 0x01, 0x08})
	f.Fuzz(func(t *testing.T, desc, reports, input []byte) {
		d, err := hid.Parse(desc)
		if err != nil || d == nil {
			return
		}
		read := func(id uint8, n int) ([]byte, error) {
			// Each report is the fuzzer's bytes from an offset the ID picks.
			if len(reports) == 0 {
				return nil, nil
			}
			start := int(id) % len(reports)
			end := min(len(reports), start+n)
			return append([]byte{id}, reports[start:end]...), nil
		}
		for _, sub := range append(usbhid.Subdrivers[:len(usbhid.Subdrivers):len(usbhid.Subdrivers)], usbhid.Generic) {
			dev := &usbhid.Device{VendorID: 0x051d}
			if len(sub.Devices) > 0 {
				dev.VendorID, dev.ProductID = sub.Devices[0].Vendor, sub.Devices[0].Product
			}
			e := usbhid.NewEngine(sub, dev, d, read)
			e.Write = func([]byte) error { return nil }
			e.Pause = func(time.Duration) {}
			v := newMapVars()
			if e.Init(v) != nil {
				continue
			}
			_ = e.Update(v, true)
			e.HandleInput(v, input)
			_ = e.Update(v, false)
			for _, c := range []string{"shutdown.return", "beeper.mute", "load.off"} {
				_ = e.InstCmd(c, "", func(string) string { return "30" })
			}
			_ = e.SetVar("battery.charge.low", "x", v.Set)
			for _, word := range strings.Fields(v.vals["ups.status"]) {
				switch word {
				case "ALARM", "OL", "OB", "DISCHRG", "CHRG", "LB", "OVER", "RB", "TRIM", "BOOST", "BYPASS", "OFF", "CAL":
				default:
					t.Fatalf("ups.status %q", v.vals["ups.status"])
				}
			}
		}
	})
}
