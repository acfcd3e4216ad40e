package upsctl_test

import (
	"testing"
	"time"

	"github.com/sysnut/sysnut/internal/upsctl"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 12, 1, 6, 30, 15, 0, loc)
	for _, c := range []struct{ in, want string }{
		{"now", "2026-12-01 06:30:15"},
		{"today", "2026-12-01 00:00:00"},
		{"yesterday", "2026-11-30 00:00:00"},
		{"2026-11-30", "2026-11-30 00:00:00"},
		{"2026-11-30 18:00", "2026-11-30 18:00:00"},
		{"2026-11-30 18:00:05", "2026-11-30 18:00:05"},
		{"18:00", "2026-12-01 18:00:00"},
		{"-2h", "2026-12-01 04:30:15"},
		{"-1h30min", "2026-12-01 05:00:15"},
		{"-1d", "2026-11-30 06:30:15"},
		{"+45", "2026-12-01 06:31:00"},
		{"@1796101200", "2026-12-01 06:00:00"},
	} {
		got, err := upsctl.ParseTime(c.in, now)
		if err != nil || got.In(loc).Format("2006-01-02 15:04:05") != c.want {
			t.Errorf("%q: %v %v, want %s", c.in, got.In(loc), err, c.want)
		}
	}
	for _, bad := range []string{"", "soon", "-2x", "-h", "2026-13-01", "@x"} {
		if _, err := upsctl.ParseTime(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		250 * time.Millisecond:       "250ms",
		45 * time.Second:             "45s",
		95500 * time.Millisecond:     "1min 36s",
		time.Hour + 2*time.Minute:    "1h 2min",
		26*time.Hour + 3*time.Second: "1d 2h 3s",
	} {
		if got := upsctl.Duration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
