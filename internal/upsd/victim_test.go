package upsd

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestVictim: at MAXCONN the connection closed is chosen by what it has
// done, not by when a flood arrived: failed passwords first, then silent
// connections, then unauthenticated ones that sent lines; within a kind
// the biggest source loses its oldest. Authenticated connections never go.
func TestVictim(t *testing.T) {
	now := time.Unix(1000, 0)
	type spec struct {
		name    string
		addr    string
		age     time.Duration
		trusted bool
		sent    bool
		failed  bool
	}
	mk := func(specs []spec) (map[*conn]struct{}, map[*conn]string) {
		m, names := map[*conn]struct{}{}, map[*conn]string{}
		for _, s := range specs {
			c := &conn{addr: s.addr, opened: now.Add(-s.age)}
			c.trusted.Store(s.trusted)
			c.sentLine.Store(s.sent)
			c.authFailed.Store(s.failed)
			m[c] = struct{}{}
			names[c] = s.name
		}
		return m, names
	}
	old := 5 * time.Second
	for _, tt := range []struct {
		name  string
		conns []spec
		want  string
	}{
		{"a failed password goes first", []spec{
			{"idle", "127.0.0.1", old, false, false, false},
			{"failed", "192.0.2.9", time.Second + 1, false, true, true},
		}, "failed"},
		{"idle before one that spoke", []spec{
			{"monitor", "127.0.0.1", old * 2, false, true, false},
			{"idle", "127.0.0.1", old, false, false, false},
		}, "idle"},
		{"the biggest source loses its oldest", []spec{
			{"lone", "192.0.2.1", old * 3, false, false, false},
			{"flood1", "127.0.0.5", old * 2, false, false, false},
			{"flood2", "127.0.0.6", old, false, false, false},
		}, "flood1"},
		{"a monitor that spoke outlives an older flood", []spec{
			{"monitor", "127.0.0.1", old * 3, false, true, false},
			{"flood1", "127.0.0.5", old, false, false, false},
			{"flood2", "127.0.0.6", time.Millisecond, false, false, false},
		}, "flood1"},
		{"bytes waiting count as spoken", []spec{
			{"speaking", "127.0.0.1", old * 3, false, false, false},
			{"flood", "127.0.0.5", old, false, false, false},
		}, "flood"},
		{"authenticated stay", []spec{
			{"monitor", "127.0.0.1", old, true, true, false},
		}, ""},
	} {
		m, names := mk(tt.conns)
		got := ""
		if v := victim(m, func(o *conn) bool { return names[o] == "speaking" }); v != nil {
			got = names[v]
		}
		if got != tt.want {
			t.Errorf("%s: victim %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestDefaultMaxConn: without MAXCONN the limit is the open-files limit
// less a reserve, as NUT's upsd takes the open-files limit, so that
// eviction admits newcomers before accept runs out of descriptors.
func TestDefaultMaxConn(t *testing.T) {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &r); err != nil {
		t.Fatal(err)
	}
	got := withDefaults(Config{}).MaxConn
	if want := int(min(r.Cur, 1<<20)) - fdReserve; got != want {
		t.Errorf("default MAXCONN %d, want %d (RLIMIT_NOFILE %d less %d)", got, want, r.Cur, fdReserve)
	}
	if withDefaults(Config{MaxConn: 7}).MaxConn != 7 {
		t.Error("MAXCONN from upsd.conf not kept")
	}
}
