// Package snapshot reads what a upsd serves in one pass, as a NUT client
// does (LIST UPS, LIST VAR, GET DESC, and sysnut's GET NUMCLIENTS and GET
// STATUSCHANGE where upsd knows them): for ups-metrics' scrapes and the
// dashboard's samples.
package snapshot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/nutclient"
	"github.com/sysnut/sysnut/internal/nutproto"
)

// Server is how a snapshot reaches upsd.
type Server struct {
	Addr               string // host:port
	Username, Password string // USERNAME and PASSWORD when set (never LOGIN)
}

// Reading is what one snapshot read from upsd.
type Reading struct {
	Clients    int  // GET NUMCLIENTS
	HasClients bool // false from a upsd without it (NUT's)
	UPS        []UPSReading
}

// UPSReading is one UPS as upsd answered for it.
type UPSReading struct {
	Name string
	// Vars in upsd's order, values as go.nut reads them (trimmed of
	// spaces); nil when the data is stale or the driver is not connected.
	Vars []nutclient.Variable
	// Desc is GET DESC of the variables asked for.
	Desc            map[string]string
	Stale           bool // DATA-STALE
	DriverConnected bool // not DRIVER-NOT-CONNECTED
	Logins          int  // GET NUMLOGINS: monitors logged in
	HasLogins       bool
	StatusChange    float64 // GET STATUSCHANGE, unix seconds; 0 if unknown
}

// Read asks upsd about the UPS named in only (every UPS if only is
// empty). describe says which variables need GET DESC (for help texts).
func Read(ctx context.Context, srv Server, only string, describe func(name string) bool) (*Reading, error) {
	c, err := nutclient.Dial(ctx, srv.Addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if d, ok := ctx.Deadline(); ok {
		c.SetTimeout(time.Until(d))
	}
	if srv.Username != "" && srv.Password != "" {
		// As nut_exporter: reading needs no login in most setups, so a
		// refused password is not the end of the snapshot.
		if err := c.Authenticate(srv.Username, srv.Password); err != nil && isConnErr(err) {
			return nil, err
		}
	}
	r := &Reading{}
	names := []string{only}
	if only == "" {
		var err error
		if names, err = c.UPSNames(); err != nil {
			return nil, fmt.Errorf("LIST UPS: %w", err)
		}
	} else if _, err := c.Get("UPSDESC", only); err != nil {
		return nil, fmt.Errorf("UPS %s: %w", only, err)
	}
	if w, err := c.Get("NUMCLIENTS"); err == nil && len(w) == 2 {
		r.Clients, err = strconv.Atoi(w[1])
		r.HasClients = err == nil
	} else if isConnErr(err) {
		return nil, err
	}
	for _, name := range names {
		u, err := readUPS(c, name, describe)
		if err != nil {
			return nil, fmt.Errorf("UPS %s: %w", name, err)
		}
		r.UPS = append(r.UPS, u)
	}
	return r, nil
}

// readUPS reads one UPS: LIST VAR, then the descriptions and sysnut's
// figures in one pipelined write (one round trip however many there are).
func readUPS(c *nutclient.Client, name string, describe func(string) bool) (UPSReading, error) {
	u := UPSReading{Name: name, DriverConnected: true, Desc: map[string]string{}}
	vars, err := c.Vars(name)
	var perr *nutproto.Error
	switch {
	case errors.As(err, &perr) && perr.Code == nutproto.ErrDataStale:
		u.Stale = true
	case errors.As(err, &perr) && perr.Code == nutproto.ErrDriverNotConnected:
		u.DriverConnected = false
	case err != nil:
		return u, fmt.Errorf("LIST VAR: %w", err)
	}
	for i := range vars {
		vars[i].Value = strings.Trim(vars[i].Value, " ")
	}
	u.Vars = vars

	var asks []string
	for _, v := range vars {
		if describe(v.Name) {
			asks = append(asks, v.Name)
		}
	}
	var b strings.Builder
	for _, v := range asks {
		fmt.Fprintf(&b, "GET DESC %s %s\n", name, v)
	}
	fmt.Fprintf(&b, "GET NUMLOGINS %s\nGET STATUSCHANGE %s\n", name, name)
	if err := c.Send(strings.TrimSuffix(b.String(), "\n")); err != nil {
		return u, err
	}
	reply := func() ([]string, error) {
		line, err := c.ReadLine()
		if err != nil {
			return nil, err
		}
		if _, isErr := nutproto.ParseErr(line); isErr {
			return nil, nil
		}
		w, err := nutproto.Split(line)
		if err != nil {
			return nil, nutclient.ErrProtocol
		}
		return w, nil
	}
	for _, v := range asks {
		w, err := reply()
		if err != nil {
			return u, err
		}
		if len(w) == 4 && w[0] == "DESC" && w[2] == v {
			// go.nut drops every double quote of the reply.
			u.Desc[v] = strings.ReplaceAll(w[3], `"`, "")
		}
	}
	w, err := reply()
	if err != nil {
		return u, err
	}
	if len(w) == 3 && w[0] == "NUMLOGINS" {
		u.Logins, err = strconv.Atoi(w[2])
		u.HasLogins = err == nil
	}
	if w, err = reply(); err != nil {
		return u, err
	}
	if len(w) == 3 && w[0] == "STATUSCHANGE" {
		u.StatusChange, _ = strconv.ParseFloat(w[2], 64)
	}
	return u, nil
}

// isConnErr tells a lost connection from an answer upsd refused.
func isConnErr(err error) bool {
	var perr *nutproto.Error
	return err != nil && !errors.As(err, &perr)
}
