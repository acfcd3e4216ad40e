package options_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver/options"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, conf string
		err        string // "" for none; else a substring
		note       string // a substring of a note, or ""
	}{
		{"dummy-ups with its own and common keys", "[u]\n driver = dummy-ups\n port = u.dev\n mode = dummy-once\n desc = \"x\"\n sdorder = 1\n pollinterval = 5\n override.ups.mfr = X\n default.battery.charge = 50\n", "", ""},
		{"unknown key names file, line and the valid ones", "[u]\n driver = dummy-ups\n port = u.dev\n\n bogus = 1\n", `ups.conf:5: [u]: "bogus" is not a valid variable name for driver dummy-ups; valid: driver, port,`, ""},
		{"unknown flag", "[u]\n driver = genericups\n port = /dev/ttyS0\n upstype = 1\n bogusflag\n", `ups.conf:5: [u]: "bogusflag" is not a valid flag for driver genericups`, ""},
		{"another driver's key", "[u]\n driver = dummy-ups\n port = u.dev\n upstype = 1\n", `"upstype" is not a valid variable name for driver dummy-ups`, ""},
		{"NUT's USB keys of nutdrv_qx", "[u]\n driver = nutdrv_qx\n port = /dev/ttyS0\n vendorid = 0665\n", `(a USB option of NUT's nutdrv_qx: sysnut's speaks to serial ports only)`, ""},
		{"driver keys ignore case, as NUT's getval", "[u]\n driver = nutdrv_qx\n port = /dev/ttyS0\n OFFDELAY = 60\n NoRating\n", "", ""},
		{"NUT's own keys do not", "[u]\n driver = dummy-ups\n port = u.dev\n Desc = x\n", `"Desc" is not a valid variable name`, ""},
		{"a flag with a value is the flag, as in NUT", "[u]\n driver = nutdrv_qx\n port = /dev/ttyS0\n norating = yes\n", "", ""},
		{"no effect, said", "[u]\n driver = nutdrv_qx\n port = /dev/ttyS0\n runtimecal = 300,100,600,50\n user = nut\n", "", "ups.conf:4: [u]: runtimecal has no effect in sysnut: sysnut makes no runtime guesstimate"},
		{"a value option alone is ignored, said", "[u]\n driver = nutdrv_qx\n port = /dev/ttyS0\n offdelay\n", "", "offdelay has no value and is ignored"},
		{"Debian's stock global maxretry, said", "maxretry = 3\n[u]\n driver = dummy-ups\n port = u.dev\n", "", "ups.conf: global maxretry has no effect in sysnut: systemd restarts a driver"},
		{"unsupported driver", "[u]\n driver = apcsmart\n port = /dev/ttyS0\n", `ups.conf:1: [u]: driver "apcsmart" is not supported by sysnut (supported: blazer_ser, dummy-ups, genericups, nutdrv_qx, snmp-ups, usbhid-ups)`, ""},
	} {
		uc, err := config.ParseUPSConf("ups.conf", []byte(tc.conf))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		notes, err := options.CheckAll(uc)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		}
		if tc.note != "" && !strings.Contains(strings.Join(notes, "\n"), tc.note) {
			t.Errorf("%s: notes %q, want %q", tc.name, notes, tc.note)
		}
	}
}

// TestEveryOptionDescribed: ups-driver(8) and -h print Desc.
func TestEveryOptionDescribed(t *testing.T) {
	t.Parallel()
	for _, d := range options.Names() {
		for _, o := range options.For(d) {
			if o.Desc == "" {
				t.Errorf("%s: %s has no description", d, o.Name)
			}
		}
	}
}

var update = flag.Bool("update", false, "rewrite the options section of man/ups-driver.8")

// TestManPage: ups-driver(8) lists every key of every driver, rendered
// from the table between its marker lines (go test -update rewrites it).
func TestManPage(t *testing.T) {
	t.Parallel()
	const path = "../../../man/ups-driver.8"
	const begin, end = ".\\\" BEGIN ups.conf keys (generated from internal/driver/options)\n", ".\\\" END ups.conf keys\n"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	i, j := strings.Index(page, begin), strings.Index(page, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no marker lines", path)
	}
	var b strings.Builder
	section := func(title string, opts []options.Option) {
		fmt.Fprintf(&b, ".SS %s\n", title)
		for _, o := range opts {
			name := o.Name
			if !o.Flag {
				name += " = \\fIvalue\\fR"
			}
			fmt.Fprintf(&b, ".TP\n.B %s\n%s", roff(name), roff(o.Desc))
			if o.NoEffect != "" {
				fmt.Fprintf(&b, ". Accepted without effect: %s", roff(o.NoEffect))
			}
			b.WriteString(".\n")
		}
	}
	section("Every driver", options.Common)
	for _, d := range options.Names() {
		section(d, options.Drivers[d])
	}
	want := page[:i+len(begin)] + b.String() + page[j:]
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != page {
		t.Errorf("%s does not list the option table (go test -update rewrites it)", path)
	}
}

// roff escapes text for a man page line.
func roff(s string) string {
	s = strings.ReplaceAll(s, "-", "\\-")
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	return s
}
