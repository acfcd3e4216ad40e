package usbhid_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driver"
	"github.com/sysnut/sysnut/internal/driver/usbhid"
	"github.com/sysnut/sysnut/internal/hid"
)

// pathLines are a log's "Path: ..." lines, prefixes stripped.
func pathLines(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "Path: "); i >= 0 {
			out = append(out, sc.Text()[i:])
		}
	}
	return out
}

// TestExploreAsNUT: ups-driver -explore on a recorded UPS prints the
// Path lines NUT's explore printed for it, in the same order; and its
// output is itself a recording that replays the same UPS.
func TestExploreAsNUT(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../hid/testdata/APC__*.dev")
	for _, file := range files {
		abs, _ := filepath.Abs(file)
		ups := &config.UPS{Name: "x", Driver: "usbhid-ups", Port: abs, Params: []config.Param{{Key: "port", Value: abs}}}
		var out bytes.Buffer
		if err := usbhid.Explore(&out, driver.Params{UPS: ups}); err != nil {
			t.Fatal(err)
		}
		nut, _ := os.ReadFile(file)
		want, got := pathLines(t, nut), pathLines(t, out.Bytes())
		// NUT's log repeats a field when it reads it again from the
		// buffer; compare the first time each is printed.
		if w, g := firsts(want), firsts(got); strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("%s: explore differs from NUT's:\n%s", filepath.Base(file), diffLines(w, g))
		}
		again, err := hid.ReadNUTLog(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("%s: our explore output does not read back: %v", file, err)
		}
		orig, _ := hid.ReadNUTLog(bytes.NewReader(nut))
		if !bytes.Equal(again.Descriptor, orig.Descriptor) || again.VendorID != orig.VendorID || again.Product != orig.Product {
			t.Errorf("%s: explore output replays another device", file)
		}
	}
}

func firsts(lines []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lines {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

func diffLines(a, b []string) string {
	var s strings.Builder
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			s.WriteString("- " + x + "\n+ " + y + "\n")
		}
	}
	return s.String()
}
