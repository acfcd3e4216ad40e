package demo_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/demo"
)

// TestDemoScenarios: in the first scenario upsmon's real logic sees the
// power cut and the low battery, decides, sets FSD, notifies, asks the
// logind stand-in once to power off and sets the killpower flag; in the
// second mains returns in time and nothing is powered off.
func TestDemoScenarios(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := demo.Run(ctx, demo.Options{Step: 200 * time.Millisecond, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	cut, brown := res.PowerCut, res.Brownout
	if want := []string{"ONBATT", "LOWBATT", "SHUTDOWN"}; !reflect.DeepEqual(cut.Events, want) {
		t.Errorf("scenario 1 notifications %v, want %v\n%s", cut.Events, want, out.String())
	}
	if cut.PowerOffs != 1 || !strings.HasPrefix(cut.Flag, "upsmon-shutdown-file\n") || !strings.Contains(cut.Status, "FSD") {
		t.Errorf("scenario 1: %d PowerOff calls, flag %q, status %q\n%s", cut.PowerOffs, cut.Flag, cut.Status, out.String())
	}
	if want := []string{"ONBATT", "ONLINE"}; !reflect.DeepEqual(brown.Events, want) {
		t.Errorf("scenario 2 notifications %v, want %v\n%s", brown.Events, want, out.String())
	}
	if brown.PowerOffs != 0 || brown.Flag != "" || brown.Status != "OL" {
		t.Errorf("scenario 2: %d PowerOff calls, flag %q, status %q\n%s", brown.PowerOffs, brown.Flag, brown.Status, out.String())
	}
	for _, line := range []string{"logind    PowerOff(false) received from upsmon", "wall      UPS demo@", "removed: left by an earlier run", ": FSD set: every secondary"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("output lacks %q:\n%s", line, out.String())
		}
	}
}
