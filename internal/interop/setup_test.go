package interop

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/nutref"
	"github.com/sysnut/sysnut/internal/upsd"
)

// testdata/dummy/* is the site both servers serve; its UPSes:
//
//	test    - NUT's dummy-ups on test.dev (escaping, case, flags)
//	fsdtest - a second dummy-ups, for the FSD latch
//	stale   - a third, stopped with SIGSTOP to make its data stale
//	down    - configured, never started: DRIVER-NOT-CONNECTED
var siteFiles = []string{"ups.conf", "upsd.users", "test.dev", "fsd.dev", "stale.dev"}

// env is a running comparison: one set of drivers, NUT's upsd and ours.
type env struct {
	site    *nutref.Site
	nutAddr string
	ourAddr string
}

func requireNUT(t *testing.T) *nutref.Binaries {
	t.Helper()
	b, err := nutref.Find()
	if err != nil {
		if os.Getenv("SYSNUT_REQUIRE_NUT") == "1" {
			t.Fatalf("SYSNUT_REQUIRE_NUT=1 but %v", err)
		}
		t.Skipf("skipping interoperability test: %v", err)
	}
	return b
}

func setup(t *testing.T) *env {
	t.Helper()
	bin := requireNUT(t)
	site, port := newSite(t, bin, dummyFiles(t, siteFiles...), "MAXAGE 3\n")
	ctx := context.Background()
	for _, u := range []string{"test", "fsdtest", "stale"} {
		if err := site.StartDummy(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := site.StartUpsd(ctx, port); err != nil {
		t.Fatal(err)
	}
	e := &env{site: site, nutAddr: fmt.Sprintf("127.0.0.1:%d", port)}

	e.ourAddr = ourUpsd(t, site)

	for _, addr := range []string{e.nutAddr, e.ourAddr} {
		for _, u := range []string{"test", "fsdtest", "stale"} {
			waitReady(t, addr, u)
		}
	}
	return e
}

// ourUpsd serves site's files with sysnut's upsd until t ends.
func ourUpsd(t *testing.T, site *nutref.Site) string {
	t.Helper()
	t.Setenv("NUT_STATEPATH", site.StateDir)
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	f, err := upsd.LoadFiles(site.ConfDir, log)
	if err != nil {
		t.Fatal(err)
	}
	return runOurUpsd(t, f.Config(), log)
}

// runOurUpsd runs sysnut's upsd for cfg on a free port of 127.0.0.1 until
// t ends, and returns its address.
func runOurUpsd(t *testing.T, cfg upsd.Config, log *slog.Logger) string {
	t.Helper()
	srv := upsd.New(cfg, log)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Run(ctx, []net.Listener{l}) }()
	t.Cleanup(func() { cancel(); <-done })
	return l.Addr().String()
}

// dummyFiles reads the named files of testdata/dummy.
func dummyFiles(t *testing.T, names ...string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, f := range names {
		data, err := os.ReadFile("testdata/dummy/" + f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(data)
	}
	return files
}

// newSite prepares a NUT site of files whose upsd.conf listens on a free
// port of 127.0.0.1 and adds upsdConf; it is stopped when t ends.
func newSite(t *testing.T, bin *nutref.Binaries, files map[string]string, upsdConf string) (*nutref.Site, int) {
	t.Helper()
	port, err := nutref.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	files["upsd.conf"] = fmt.Sprintf("LISTEN 127.0.0.1 %d\n%s", port, upsdConf)
	site, err := nutref.NewSite(bin, t.TempDir(), files)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Stop)
	return site, port
}

// waitReady waits until the server has the driver's full dump.
func waitReady(t *testing.T, addr, ups string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if r := roundTrip(t, addr, [][]byte{[]byte("GET VAR " + ups + " ups.status\n")}); strings.HasPrefix(r, "VAR ") && !strings.Contains(r, "WAIT") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never served %s", addr, ups)
}

// roundTrip sends each chunk as one write on a fresh connection and
// collects what comes back until the server has been quiet for a while.
func roundTrip(t *testing.T, addr string, chunks [][]byte) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetNoDelay(true)
	var out strings.Builder
	r := bufio.NewReader(c)
	for _, ch := range chunks {
		if _, err := c.Write(ch); err != nil {
			t.Fatal(err)
		}
		// NUT's upsd sends a list a line per write and Nagle holds the
		// lines behind the client's delayed ACK (40 ms): quiet must
		// outlast that on a loaded machine.
		const quiet = 150 * time.Millisecond
		for {
			_ = c.SetReadDeadline(time.Now().Add(quiet))
			b, err := r.ReadByte()
			if err != nil {
				break
			}
			out.WriteByte(b)
		}
	}
	return out.String()
}

var (
	verRE     = regexp.MustCompile(`Network UPS Tools upsd \S+ - \S+`)
	svrVerRE  = regexp.MustCompile(`server\.version "[^"]*"`)
	trackIDRE = regexp.MustCompile(`[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}`)
)

// normalize hides what legitimately differs: the version banner and
// random tracking ids (whose format it checks by matching).
func normalize(s string) string {
	s = verRE.ReplaceAllString(s, "Network UPS Tools upsd VERSION - URL")
	s = svrVerRE.ReplaceAllString(s, `server.version "VERSION"`)
	return trackIDRE.ReplaceAllString(s, "TRACKING-ID")
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(p)
	return n
}
