package upsd_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/testrig"
)

// TestInstcmdParameterQuoted: a parameter with spaces, '=' or quotes
// reaches the driver as one word, as the client sent it.
func TestInstcmdParameterQuoted(t *testing.T) {
	t.Parallel()
	rig := testrig.Start(t, testrig.Options{})
	for _, param := range []string{"a b", "x=1", `say "hi"`, `back\slash`, "plain"} {
		req := "USERNAME admin\nPASSWORD secret\nINSTCMD ups beeper.toggle \"" +
			strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(param) + "\""
		if got := testrig.Ask(t, rig.Addr, req); !strings.HasSuffix(got, "OK\n") {
			t.Fatalf("INSTCMD with %q: %q", param, got)
		}
		want := "INSTCMD beeper.toggle " + param
		deadline := time.Now().Add(5 * time.Second)
		for !slices.Contains(rig.Received(), want) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if !slices.Contains(rig.Received(), want) {
			t.Errorf("driver got %q, want %q", rig.Received(), want)
		}
	}
}
