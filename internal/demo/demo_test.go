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

func TestDemoDetectsFailureAndRecovery(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	seen, err := demo.Run(ctx, demo.Options{Step: 200 * time.Millisecond, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{demo.EventCommOK, demo.EventOnBatt, demo.EventLowBatt, demo.EventOnline}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("events = %v, want %v\n%s", seen, want, out.String())
	}
	for _, msg := range []string{"on battery (ONBATT)", "battery is low (LOWBATT)", "on line power (ONLINE)"} {
		if !strings.Contains(out.String(), msg) {
			t.Errorf("output lacks %q:\n%s", msg, out.String())
		}
	}
}
