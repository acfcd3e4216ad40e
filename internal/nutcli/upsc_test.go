package nutcli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/nutcli"
	"github.com/sysnut/sysnut/internal/testrig"
)

// TestUpscJSON: upsc -j prints what NUT 2.8.5's upsc -j prints (its
// clients/upsc.c and common/strjson.c): the layout byte for byte, and
// JSON that parses. NUT 2.8.0, the one installed here, has no -j to
// compare with.
func TestUpscJSON(t *testing.T) {
	rig := testrig.Start(t, testrig.Options{})
	run := func(args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		code := nutcli.Upsc(context.Background(), nutcli.IO{Stdout: &out, Stderr: &errOut}, args)
		return out.String(), errOut.String(), code
	}
	out, _, code := run("-j", "ups@"+rig.Addr)
	var vars map[string]string
	if code != 0 || !strings.HasPrefix(out, "{\n  \"") || !strings.HasSuffix(out, "\"\n}\n") ||
		json.Unmarshal([]byte(out), &vars) != nil || vars["ups.status"] != "OL" || vars["battery.charge"] != "100" {
		t.Errorf("upsc -j UPS: %d %q", code, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-j", "ups@" + rig.Addr, "ups.status"}, "\"OL\"\n"},
		{[]string{"-j", "-l", rig.Addr}, "[\n  \"ups\"\n]\n"},
		{[]string{"-j", "-c", "ups@" + rig.Addr}, "[\n\n]\n"},
		{[]string{"-j", "nosuch@" + rig.Addr}, "{\n  \"error\": \"Unknown UPS\"\n}\n"},
		{[]string{"-j", "ups@" + rig.Addr, "nosuch.var"}, "{\"error\": \"Variable not supported by UPS\"}\n"},
		{[]string{"-j", "ups@" + rig.Addr, "oldstyle"}, "{\"error\": \"old-style variable names are not supported\"}\n"},
	} {
		if out, _, _ := run(tt.args...); out != tt.want {
			t.Errorf("upsc %v: %q, want %q", tt.args, out, tt.want)
		}
	}
	if out, _, _ := run("-j", "-L", rig.Addr); !strings.HasPrefix(out, "{\n  \"ups\": \"") || !strings.HasSuffix(out, "\"\n}\n") {
		t.Errorf("upsc -j -L: %q", out)
	}
}

// TestUpsrwFromAPipe: upsrw -s VAR without -u, -p or a value reads the
// username, the password and the value from standard input, one line
// each, as NUT's upsrw does from a pipe.
func TestUpsrwFromAPipe(t *testing.T) {
	rig := testrig.Start(t, testrig.Options{})
	var out, errOut bytes.Buffer
	in := strings.NewReader("admin\nsecret\npiped-id\n")
	code := nutcli.Upsrw(context.Background(), nutcli.IO{Stdin: in, Stdout: &out, Stderr: &errOut}, []string{"-s", "ups.id", "ups@" + rig.Addr})
	if code != 0 || !strings.Contains(errOut.String()+out.String(), "OK") {
		t.Fatalf("upsrw from a pipe: %d\nstdout %q\nstderr %q", code, out.String(), errOut.String())
	}
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(rig.Received(), "SET ups.id piped-id") {
		if time.Now().After(deadline) {
			t.Fatalf("driver received %q", rig.Received())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
