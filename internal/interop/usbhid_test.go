package interop

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/driver/registry"
)

// usbhidUnknowable are the recorded upsc lines our usbhid-ups does not
// reproduce from a replay, with the reason (ups-driver(8)).
var usbhidUnknowable = map[string]string{
	"battery.type": "a USB string descriptor (iDeviceChemistry): NUT's logs do not record string descriptors, so a replay has none",
}

// TestUSBHIDReplayBehindNUTUpsd: our usbhid-ups replays a real UPS that
// NUT's device dump library recorded (port = the dump), NUT 2.8.0's upsd
// serves it, and NUT's upsc prints what NUT's own usbhid-ups published
// for that UPS (driver.* and the lines above aside).
func TestUSBHIDReplayBehindNUTUpsd(t *testing.T) {
	bin := requireNUT(t)
	dump, err := filepath.Abs("../hid/testdata/APC__Back-UPS_CS_500__usbhid-ups__2.8.0__01.dev")
	if err != nil {
		t.Fatal(err)
	}
	site, port := newSite(t, bin, map[string]string{
		"ups.conf":   "[ours]\n driver = usbhid-ups\n port = " + dump + "\n",
		"upsd.users": "[admin]\n password = secret\n",
	}, "")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e, err := registry.Lookup("usbhid-ups")
	if err != nil {
		t.Fatal(err)
	}
	addr := serveOurs(t, ctx, cancel, site, port, e, nil)
	waitReady(t, addr, "ours")

	want := map[string]string{}
	f, err := os.Open(dump)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok && !strings.HasPrefix(k, "#") {
			want[k] = v
		}
	}
	r := runNUT(t, &env{site: site}, withAddr([]string{"upsc", "ours@ADDR"}, addr))
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if k, v, ok := strings.Cut(l, ": "); ok {
			got[k] = v
		}
	}
	same := 0
	for k := range union(want, got) {
		if strings.HasPrefix(k, "driver.") {
			continue
		}
		w, inW := want[k]
		g, inG := got[k]
		switch {
		case w == g && inW == inG:
			same++
		case usbhidUnknowable[k] != "":
			t.Logf("%s: NUT %q, ours %q: %s", k, w, g, usbhidUnknowable[k])
		default:
			t.Errorf("%s: NUT's usbhid-ups published %q (%v), NUT's upsc reads %q (%v) from ours", k, w, inW, g, inG)
		}
	}
	t.Logf("%d lines of NUT's upsc as NUT's usbhid-ups published them (stderr: %s)", same, r.stderr)
	if same < 15 {
		t.Errorf("only %d lines compared", same)
	}
}

func union(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
