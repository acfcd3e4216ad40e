package nutclient_test

import (
	"bufio"
	"errors"
	"net"
	"testing"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
)

// TestWatch: Watch and Next read WATCH's replies as upsd(8) describes
// them: values, errors in place of a value, and NUT's refusal.
func TestWatch(t *testing.T) {
	for _, tt := range []struct {
		name    string
		server  string // what the server sends after reading WATCH
		refused nutproto.Code
		want    []nutclient.Status
		end     error
	}{
		{name: "values and errors", server: "OK WATCHING\nSTATUS ups \"OL\"\nSTATUS ups ERR DATA-STALE\nSTATUS ups \"FSD OB LB\"\n",
			want: []nutclient.Status{{UPS: "ups", Value: "OL"}, {UPS: "ups", Err: &nutproto.Error{Code: nutproto.ErrDataStale}},
				{UPS: "ups", Value: "FSD OB LB"}}, end: nutclient.ErrServerDisconnected},
		{name: "NUT's upsd", server: "ERR UNKNOWN-COMMAND\n", refused: nutproto.ErrUnknownCommand},
		{name: "a line of another shape", server: "OK WATCHING\nVAR ups ups.status \"OL\"\n", end: nutclient.ErrProtocol},
		{name: "not OK WATCHING", server: "OK\n", end: nutclient.ErrProtocol},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			go func() {
				defer b.Close()
				bufio.NewReader(b).ReadString('\n')
				b.Write([]byte(tt.server))
			}()
			c := nutclient.New(a)
			err := c.Watch("ups")
			var pe *nutproto.Error
			if tt.refused != "" {
				if !errors.As(err, &pe) || pe.Code != tt.refused {
					t.Fatalf("Watch: %v, want %s", err, tt.refused)
				}
				return
			}
			if err != nil {
				if errors.Is(err, tt.end) && len(tt.want) == 0 {
					return
				}
				t.Fatalf("Watch: %v", err)
			}
			for _, w := range tt.want {
				st, err := c.Next()
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				if st.UPS != w.UPS || st.Value != w.Value || (st.Err == nil) != (w.Err == nil) || (w.Err != nil && st.Err.Code != w.Err.Code) {
					t.Errorf("Next: %+v, want %+v", st, w)
				}
			}
			if _, err := c.Next(); !errors.Is(err, tt.end) {
				t.Errorf("after the last line: %v, want %v", err, tt.end)
			}
		})
	}
}
