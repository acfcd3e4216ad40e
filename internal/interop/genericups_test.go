package interop

import (
	"fmt"
	"testing"

	"github.com/sysnut/sysnut/internal/modemlines"
)

// uart is a real serial port with modem lines: ptys have none, so NUT's
// genericups can only be compared on one. This machine kind has a UART
// with nothing attached (every input line low).
const uart = "/dev/ttyS0"

// TestGenericupsMatchesNUT runs NUT 2.8.0's genericups and ours on the same
// UART for every cable type, behind NUT's upsd, and compares what NUT's
// clients print and what upsd answers for every variable: the cable
// table, the status derived from the lines, types and commands.
func TestGenericupsMatchesNUT(t *testing.T) {
	requireNUT(t)
	p, err := modemlines.Open(uart)
	if err != nil {
		t.Skipf("no usable UART (%v): NUT's genericups needs real modem lines", err)
	}
	_, err = p.Get()
	p.Close()
	if err != nil {
		t.Skipf("%s has no modem lines: %v", uart, err)
	}
	for upstype := range 24 { // NUT's whole cable table
		t.Run(fmt.Sprintf("upstype=%d", upstype), func(t *testing.T) {
			conf := fmt.Sprintf(" driver = genericups\n port = %s\n upstype = %d\n", uart, upstype)
			startDriverPair(t, "genericups", conf, conf).compare()
		})
	}
}
