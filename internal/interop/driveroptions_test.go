package interop

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver/options"
)

// optionDifferences are the ups.conf keys that sysnut's driver and NUT
// 2.8.0's of the same name judge differently, each for a reason.
var optionDifferences = map[string]string{
	"maxstartdelay":                      "ups.conf(5) documents it per section, but NUT 2.8.0's drivers refuse it there; sysnut accepts it (systemd does the waiting)",
	"powstatd":                           "sysnut's own genericups key: a powstatd configuration instead of upstype",
	"vendorid":                           "Debian builds nutdrv_qx for USB too; sysnut's speaks to serial ports only and says so",
	"pins_shutdown_mode":                 "a key of NUT's bestups Q protocol, which sysnut does not implement",
	"subdriver":                          "usbhid-ups: a NUT 2.8.1 key, which sysnut takes",
	"onlinedischarge_onbattery":          "usbhid-ups: a NUT 2.8.1 key, which sysnut takes",
	"onlinedischarge_calibration":        "usbhid-ups: a NUT 2.8.1 key, which sysnut takes (and says it has no effect yet)",
	"lbrb_log_delay_sec":                 "usbhid-ups: a NUT 2.8.1 key, which sysnut takes",
	"lbrb_log_delay_without_calibrating": "usbhid-ups: a key of NUT after 2.8.1, which sysnut takes",
	"busport":                            "usbhid-ups: a NUT 2.8.1 key, which sysnut takes (and says it has no effect yet)",
}

// TestDriverOptionsAsNUT runs NUT's driver of each name sysnut provides on
// a section holding one key, and checks that NUT refuses it ("is not a
// valid variable name/flag") exactly when sysnut's option table does:
// every key sysnut knows, some it does not, flags and values.
func TestDriverOptionsAsNUT(t *testing.T) {
	t.Parallel()
	bin := requireNUT(t)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, drv := range options.Names() {
		var lines []string
		for _, o := range options.For(drv) {
			switch {
			case o.Name == "driver" || o.Name == "port":
				continue
			case o.Flag:
				lines = append(lines, o.Name)
			default:
				lines = append(lines, o.Name+" = 1")
			}
		}
		lines = append(lines, "bogus = 1", "bogusflag", "vendorid = 0665", "pins_shutdown_mode = 1", "mode = 1", "upstype = 1", "Desc = x")
		for _, line := range lines {
			conf := "[x]\n driver = " + drv + "\n port = " + filepath.Join(dir, "absent") + "\n " + line + "\n"
			if err := os.WriteFile(filepath.Join(dir, "ups.conf"), []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			cmd := exec.CommandContext(ctx, filepath.Join(filepath.Dir(bin.DummyUPS), drv), "-a", "x", "-F", "-u", u.Username)
			cmd.Env = append(os.Environ(), "NUT_CONFPATH="+dir, "NUT_STATEPATH="+dir)
			out, _ := cmd.CombinedOutput()
			cancel()
			nutRefuses := strings.Contains(string(out), "is not a valid")
			uc, err := config.ParseUPSConf("ups.conf", []byte(conf))
			if err != nil {
				t.Fatalf("%s: %q: %v", drv, line, err)
			}
			_, err = options.CheckAll(uc)
			weRefuse := err != nil
			key := strings.Fields(line)[0]
			if nutRefuses != weRefuse {
				if why, ok := optionDifferences[key]; ok {
					t.Logf("%s: %q: NUT refuses %v, sysnut %v: %s", drv, line, nutRefuses, weRefuse, why)
					continue
				}
				t.Errorf("%s: %q: NUT refuses: %v, sysnut refuses: %v (%v)\nNUT said: %s", drv, line, nutRefuses, weRefuse, err, out)
			}
		}
	}
}
