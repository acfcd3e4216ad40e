package cmdvartab_test

import (
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/cmdvartab"
)

func TestParse(t *testing.T) {
	tab, err := cmdvartab.Parse("cmdvartab", []byte("# comment\nVARDESC ups.status \"UPS status\"\nCMDDESC load.off \"Turn off the load immediately\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := tab.Var("UPS.STATUS"); !ok || d != "UPS status" {
		t.Errorf("Var: %q, %v", d, ok)
	}
	if d, ok := tab.Cmd("load.off"); !ok || d != "Turn off the load immediately" {
		t.Errorf("Cmd: %q, %v", d, ok)
	}
	_, err = cmdvartab.Parse("cmdvartab", []byte("VARDESC a \"b\"\nVARDESC \"unterminated\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "cmdvartab:2: ") {
		t.Errorf("bad line: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("VARDESC ups.status \"UPS status\"\nCMDDESC load.off \"Turn off\"\n"))
	f.Add([]byte("VARDESC a\nUNKNOWN x y\n\"\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := cmdvartab.Parse("cmdvartab", data); err != nil && !strings.HasPrefix(err.Error(), "cmdvartab:") {
			t.Fatalf("error without file name: %v", err)
		}
	})
}
