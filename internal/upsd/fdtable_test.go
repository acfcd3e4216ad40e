package upsd

import "testing"

// The loop finds a parked connection by descriptor; a descriptor reused
// by a new connection before the old one left replaces it, and the count
// (NumParked) follows what the table holds.
func TestFDTable(t *testing.T) {
	a, b, c := &conn{}, &conn{}, &conn{}
	var tab fdTable
	steps := []struct {
		fd   int32
		c    *conn
		want int
	}{
		{5, a, 1},
		{900, b, 2},    // grows past the end
		{5, c, 2},      // reused descriptor: replaced, not counted twice
		{7, nil, 2},    // clearing an empty slot
		{5000, nil, 2}, // clearing beyond the end does not grow it
		{900, nil, 1},
	}
	for i, s := range steps {
		tab.set(s.fd, s.c)
		if got := tab.len(); got != s.want {
			t.Fatalf("step %d: len %d, want %d", i, got, s.want)
		}
		if got := tab.get(s.fd); got != s.c {
			t.Fatalf("step %d: get(%d) = %p, want %p", i, s.fd, got, s.c)
		}
	}
	if len(tab.byFD) > 901 {
		t.Errorf("table grew to %d for descriptors up to 900", len(tab.byFD))
	}
	if tab.get(5) != c || tab.get(-1) != nil || tab.get(1<<20) != nil {
		t.Errorf("lookups after the steps are wrong")
	}
}
