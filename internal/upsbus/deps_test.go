package upsbus_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestClientsLinkNoServerCode keeps the client commands off server code,
// as tailscale's deptest does: upsc, upscmd, upsrw and upsctl are run by
// administrators, often with privileges, and must not carry the network
// server, the D-Bus service, the monitor or the drivers.
func TestClientsLinkNoServerCode(t *testing.T) {
	forbidden := []string{"internal/upsd", "internal/dbusapi", "internal/upsmon", "internal/driver",
		"internal/driversock", "internal/polkit", "internal/logind"}
	for _, cmd := range []string{"upsc", "upscmd", "upsrw", "upsctl"} {
		out, err := exec.Command("go", "list", "-deps", "github.com/sysnut/sysnut/cmd/"+cmd).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", cmd, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if strings.HasSuffix(dep, "/"+f) || strings.Contains(dep, "/"+f+"/") {
					t.Errorf("cmd/%s links %s", cmd, dep)
				}
			}
		}
	}
}
