package upsd

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/state"
)

// conn is one client connection.
type conn struct {
	s    *Server
	nc   net.Conn // the socket; other goroutines may only Close it
	rw   net.Conn // what serve reads and writes: nc, or TLS over it
	addr string
	// upgrade is set by STARTTLS: serve then starts the handshake.
	upgrade   bool
	tlsConfig *tls.Config

	username, password       string
	hasUsername, hasPassword bool
	tracking                 bool
	// trusted: the password was right once. Atomic because the accept
	// loop reads it, sparing trusted connections when MAXCONN forces it
	// to drop one.
	trusted atomic.Bool
	opened  time.Time
	// sentLine and authFailed (the password was checked and was wrong) are
	// read by the accept loop when MAXCONN forces it to close a connection.
	sentLine   atomic.Bool
	authFailed atomic.Bool
	loginUPS   atomic.Pointer[ups]
	closing    bool

	parseErrLogged bool
	lex            nutproto.Lexer // kept across parking
	lastLine       time.Time      // when the last complete line came
	closed         atomic.Bool
	parked         *expiry         // while in the parker; its lock guards this
	out            []byte          // replies not yet written
	wmu            sync.Mutex      // serialises writes: replies, and pushes once watching
	watching       atomic.Bool     // WATCH was accepted: pushes only from here on
	watched        []*ups          // set once, by WATCH
	wArmed         time.Time       // when the write deadline was last set; wmu
	ctx            context.Context // serve's, for waits inside a command
}

func newConn(s *Server, nc net.Conn) *conn {
	addr := nc.RemoteAddr().String()
	if h, _, err := net.SplitHostPort(addr); err == nil {
		addr = h
	}
	now := time.Now()
	return &conn{s: s, nc: nc, rw: nc, addr: addr, opened: now, lastLine: now, lex: newLexer(), ctx: context.Background()}
}

// flushAt bounds the replies held before writing: replies to one read are
// written together, but a client pipelining many requests gets them in
// pieces of about this size, so that what a connection holds is at most
// this plus one reply. After a big reply the buffer is let go, so memory
// returns when an attack ends.
const flushAt = 16 << 10

// serve reads lines and answers them on its own goroutine. All replies to
// one read are written with one write, up to flushAt. A plain TCP client
// quiet for ParkAfter between two lines is handed to the parker: serve
// then returns true, and the parker calls it again when the client
// speaks. Otherwise serve returns false once the connection is closed.
func (c *conn) serve(ctx context.Context) (parked bool) {
	c.ctx = ctx
	defer func() {
		if !parked {
			c.close()
		}
	}()
	cfg := c.s.config()
	park := c.s.parker != nil && cfg.ParkAfter > 0 && parkable(c)
	buf := make([]byte, 512) // a parked connection holds none
	active := time.Now()     // when bytes last came
	var armed time.Time      // active when the deadline was last set
	for !c.closing {
		// Moving the deadline costs a timer update: do it at most once a
		// second, which is all the precision these timeouts need.
		if active.Sub(armed) >= time.Second || armed.IsZero() {
			d := c.idleEnd(cfg)
			if p := active.Add(cfg.ParkAfter); park && (d.IsZero() || p.Before(d)) {
				d = p
			}
			_ = c.rw.SetReadDeadline(d)
			armed = active
		}
		n, err := c.rw.Read(buf)
		if n > 0 {
			active = time.Now()
		}
		lines, rest := c.feed(&c.lex, buf[:n])
		slow := false // this line came after a pause of ParkAfter or more
		if lines {
			slow = active.Sub(c.lastLine) >= cfg.ParkAfter
			c.lastLine = active
			c.sentLine.Store(true)
		}
		if !c.flush() || ctx.Err() != nil {
			return false
		}
		// A client that speaks once in a while (a monitor's poll every
		// POLLFREQ) is parked as soon as it is answered, rather than when
		// ParkAfter runs out: one wake-up per request instead of two.
		if slow && err == nil && park && !c.upgrade && !c.closing && !c.lex.Pending() && len(c.out) == 0 &&
			c.s.parker.park(c, c.idleEnd(cfg)) {
			return true
		}
		if err != nil {
			idleEnd := c.idleEnd(cfg)
			if !isTimeout(err) || !idleEnd.IsZero() && !time.Now().Before(idleEnd) {
				return false
			}
			// Quiet for ParkAfter: park between lines; in the middle of
			// one (a slow client) wait on to the idle timeout.
			if park && !c.lex.Pending() && len(c.out) == 0 && c.s.parker.park(c, idleEnd) {
				return true
			}
			park, armed = false, time.Time{}
			continue
		}
		if c.upgrade {
			if !c.handshake(ctx, rest) {
				return false
			}
			c.lex = newLexer()
			c.lastLine, active, armed = time.Now(), time.Now(), time.Time{}
		}
	}
	return false
}

// idleEnd is when a quiet client is dropped (IdleTimeout after its last
// line); zero for a watching one, which has nothing left to say.
func (c *conn) idleEnd(cfg *Config) time.Time {
	if c.watching.Load() {
		return time.Time{}
	}
	return c.lastLine.Add(cfg.IdleTimeout)
}

// close ends a connection once: the socket, its login, its registration.
func (c *conn) close() {
	if c.closed.Swap(true) {
		return
	}
	c.nc.Close()
	c.finish()
	c.s.forget(c)
}

// spill writes out once it reaches flushAt, for a reply that is built in
// pieces; it returns the buffer to go on appending to. A failed write
// closes the connection after this read.
func (c *conn) spill(out []byte) []byte {
	c.out = out
	if c.closing {
		return c.out[:0]
	}
	if len(c.out) >= flushAt && !c.flush() {
		c.closing = true
	}
	return c.out
}

// flush writes the pending replies; false when the client is gone or has
// stopped reading.
func (c *conn) flush() bool {
	if len(c.out) == 0 {
		return true
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.write()
}

// write is flush with c.wmu held. Like the read deadline, the write
// deadline moves at most once a second: each move is a timer update, and
// WriteTimeout needs no finer precision.
func (c *conn) write() bool {
	if now := time.Now(); now.Sub(c.wArmed) >= time.Second {
		_ = c.rw.SetWriteDeadline(now.Add(c.s.config().WriteTimeout))
		c.wArmed = now
	}
	_, err := c.rw.Write(c.out)
	if cap(c.out) > 2*flushAt {
		c.out = nil
	} else {
		c.out = c.out[:0]
	}
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			c.s.slowReader(c.addr)
		}
		return false
	}
	return true
}

// handshakeTimeout bounds a TLS handshake, so that a client that sends
// STARTTLS and then nothing does not hold a connection for the idle time.
const handshakeTimeout = 10 * time.Second

// handshake runs the server side of TLS after "OK STARTTLS"; early holds
// bytes the client sent after STARTTLS in the same read, which can only be
// the start of its ClientHello.
func (c *conn) handshake(ctx context.Context, early []byte) bool {
	c.upgrade = false
	var under net.Conn = c.nc
	if len(early) > 0 {
		under = &prefixConn{Conn: c.nc, prefix: bytes.Clone(early)}
	}
	tc := tls.Server(under, c.tlsConfig)
	_ = c.nc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.HandshakeContext(ctx); err != nil {
		c.s.log.Warn("TLS handshake failed", "client", c.addr, "err", err)
		return false
	}
	st := tc.ConnectionState()
	args := []any{"client", c.addr, "tls", tls.VersionName(st.Version), "cipher", tls.CipherSuiteName(st.CipherSuite)}
	if len(st.PeerCertificates) > 0 {
		args = append(args, "client_cert", st.PeerCertificates[0].Subject.String())
	}
	c.s.log.Info("TLS established", args...)
	c.rw = tc
	return true
}

// prefixConn replays bytes already read before reading the connection.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

func newLexer() nutproto.Lexer { return nutproto.NewLexer(nutproto.NetLimits) }

// feed runs one read's bytes through the lexer and appends the replies to
// c.out, writing them whenever flushAt is reached; it reports whether a
// complete line arrived (which resets the idle timer, as in NUT). After
// STARTTLS it stops and returns the unread bytes.
func (c *conn) feed(lex *nutproto.Lexer, data []byte) (bool, []byte) {
	lines := false
	if c.watching.Load() {
		return false, nil // a watching client's lines are ignored (watch.go)
	}
	for i, b := range data {
		switch lex.Feed(b) {
		case nutproto.Line:
			lines = true
			// After LOGOUT NUT still answers the rest of the read.
			c.out = c.dispatch(c.out, lex.Words())
			if c.watching.Load() {
				return lines, nil
			}
			// After STARTTLS the rest of the read is the start of the
			// ClientHello (a TLS record starts with 0x16). Anything else is
			// lines, which NUT answers in clear text before the handshake.
			if rest := data[i+1:]; c.upgrade && (len(rest) == 0 || rest[0] == 0x16) {
				return lines, rest
			}
			if len(c.out) >= flushAt && !c.flush() {
				c.closing = true
				return lines, nil
			}
		case nutproto.Failed:
			// NUT answers nothing and drops the rest of this read. Said
			// once per connection: a client can send many.
			if !c.parseErrLogged {
				c.parseErrLogged = true
				c.s.log.Info("parse error from client (further ones on this connection not logged)", "client", c.addr, "err", lex.Err())
			}
			return lines, nil
		}
	}
	return lines, nil
}

// finish releases what a closed connection held: its login.
func (c *conn) finish() {
	c.unwatch()
	if u := c.loginUPS.Load(); u != nil {
		u.numLogins.Add(-1)
		c.s.log.Info(fmt.Sprintf("%s (user %s) logged out", c.addr, c.username), "client", c.addr, "ups", u.name, "user", c.username)
	}
}

// command table: name -> handler and whether it needs USERNAME and PASSWORD.
type handler func(c *conn, out []byte, args []string) []byte

var commands = map[string]struct {
	fn       handler
	needUser bool
}{
	"VER":      {(*conn).cmdVer, false},
	"NETVER":   {(*conn).cmdNetver, false},
	"PROTVER":  {(*conn).cmdNetver, false},
	"HELP":     {(*conn).cmdHelp, false},
	"STARTTLS": {(*conn).cmdStarttls, false},
	"GET":      {(*conn).cmdGet, false},
	"LIST":     {(*conn).cmdList, false},
	"USERNAME": {(*conn).cmdUsername, false},
	"PASSWORD": {(*conn).cmdPassword, false},
	"LOGOUT":   {(*conn).cmdLogout, false},
	"LOGIN":    {(*conn).cmdLogin, true},
	"PRIMARY":  {(*conn).cmdPrimary, true},
	"MASTER":   {(*conn).cmdMaster, true},
	"FSD":      {(*conn).cmdFSD, true},
	"SET":      {(*conn).cmdSet, true},
	"INSTCMD":  {(*conn).cmdInstcmd, true},
	"WATCH":    {(*conn).cmdWatch, false},
}

func (c *conn) dispatch(out []byte, w []string) []byte {
	if len(w) == 0 {
		return appendErr(out, nutproto.ErrUnknownCommand)
	}
	cmd, ok := commands[strings.ToUpper(w[0])]
	if !ok {
		return appendErr(out, nutproto.ErrUnknownCommand)
	}
	if cmd.needUser {
		if !c.hasUsername {
			return appendErr(out, nutproto.ErrUsernameRequired)
		}
		if !c.hasPassword {
			return appendErr(out, nutproto.ErrPasswordRequired)
		}
	}
	return cmd.fn(c, out, w[1:])
}

func appendErr(out []byte, code nutproto.Code) []byte {
	out = append(out, "ERR "...)
	out = append(out, code...)
	return append(out, '\n')
}

// appendWords appends words separated by spaces, then quoted values, then
// a newline: the shape of every data reply.
func appendReply(out []byte, words []string, quoted ...string) []byte {
	for i, w := range words {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, w...)
	}
	for _, q := range quoted {
		out = append(out, ' ', '"')
		out = nutproto.AppendEscaped(out, q)
		out = append(out, '"')
	}
	return append(out, '\n')
}

// user returns the authenticated user, or nil when the name or password
// is wrong; NUT then answers ACCESS-DENIED, never a password error.
// Checks wait for their turn (authLimiter), except on a connection that
// has already proven its password: a monitor logged in before someone on
// its host started guessing sends FSD at once. A connection whose password
// already failed is refused without another check, since USERNAME and
// PASSWORD can be given only once.
func (c *conn) user() *config.User {
	trusted := c.trusted.Load()
	if !trusted {
		if c.authFailed.Load() {
			return nil
		}
		if wait := c.s.auth.reserve(c.addr); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.ctx.Done():
				t.Stop()
				return nil
			}
		}
	}
	u := c.s.config().Users.Authenticate(c.username, c.password)
	if u == nil {
		if !trusted {
			// Never the password: it may be a real one typed for another host.
			c.s.auth.failed(c.addr, c.username)
			c.authFailed.Store(true)
		}
		return nil
	}
	if !trusted {
		c.s.auth.succeeded(c.addr)
	}
	c.trusted.Store(true)
	return u
}

// permitted authenticates and checks one permission, logging a refusal
// once: user() logs bad passwords, this logs missing rights.
func (c *conn) permitted(can func(*config.User) bool, what string, attrs ...any) bool {
	usr := c.user()
	if usr == nil {
		return false
	}
	if !can(usr) {
		c.s.log.Warn(fmt.Sprintf("permission denied to %s (user %s): %s", c.addr, c.username, what), append([]any{"client", c.addr, "user", c.username}, attrs...)...)
		return false
	}
	return true
}

// action returns a permission check for an upsd.users action.
func action(name string) func(*config.User) bool {
	return func(u *config.User) bool { return u.Can(name) }
}

// available performs NUT's "avail" check and appends the error if any.
func available(out []byte, a driversock.Availability) ([]byte, bool) {
	switch a {
	case driversock.NotConnected:
		return appendErr(out, nutproto.ErrDriverNotConnected), false
	case driversock.Stale:
		return appendErr(out, nutproto.ErrDataStale), false
	}
	return out, true
}

func (c *conn) cmdVer(out []byte, args []string) []byte {
	if len(args) != 0 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	return append(append(out, verLine...), '\n')
}

func (c *conn) cmdNetver(out []byte, args []string) []byte {
	if len(args) != 0 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	return append(out, "1.3\n"...)
}

func (c *conn) cmdHelp(out []byte, args []string) []byte {
	if len(args) != 0 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	return append(out, "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS\n"...)
}

func (c *conn) cmdStarttls(out []byte, args []string) []byte {
	if c.rw != c.nc || c.upgrade { // already TLS, or about to be
		return appendErr(out, nutproto.ErrAlreadySSLMode)
	}
	c.tlsConfig = c.s.config().TLS
	if c.tlsConfig == nil {
		return appendErr(out, nutproto.ErrFeatureNotConfigured)
	}
	c.upgrade = true
	return append(out, "OK STARTTLS\n"...)
}

func (c *conn) cmdUsername(out []byte, args []string) []byte {
	return c.credential(out, args, &c.username, &c.hasUsername, nutproto.ErrAlreadySetUsername, "username")
}

func (c *conn) cmdPassword(out []byte, args []string) []byte {
	return c.credential(out, args, &c.password, &c.hasPassword, nutproto.ErrAlreadySetPassword, "password")
}

// credential answers USERNAME and PASSWORD: always OK the first time (a
// wrong one shows up later as ACCESS-DENIED), an error the second.
func (c *conn) credential(out []byte, args []string, dst *string, set *bool, twice nutproto.Code, what string) []byte {
	if len(args) != 1 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	if *set {
		c.s.log.Info(fmt.Sprintf("%s tried to set a %s twice", c.addr, what), "client", c.addr)
		return appendErr(out, twice)
	}
	*dst, *set = args[0], true
	return append(out, "OK\n"...)
}

func (c *conn) cmdLogout(out []byte, args []string) []byte {
	if len(args) != 0 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	c.closing = true
	return append(out, "OK Goodbye\n"...)
}

func (c *conn) cmdLogin(out []byte, args []string) []byte {
	if len(args) != 1 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	if c.loginUPS.Load() != nil {
		return appendErr(out, nutproto.ErrAlreadyLoggedIn)
	}
	u := c.s.lookup(args[0])
	if u == nil {
		return appendErr(out, nutproto.ErrUnknownUPS)
	}
	if !c.permitted(action("LOGIN"), "LOGIN", "ups", u.name) {
		return appendErr(out, nutproto.ErrAccessDenied)
	}
	u.numLogins.Add(1)
	c.loginUPS.Store(u)
	c.s.log.Info("client logged in", "client", c.addr, "user", c.username, "ups", u.name)
	return append(out, "OK\n"...)
}

func (c *conn) cmdPrimary(out []byte, args []string) []byte {
	return c.primary(out, args, "OK PRIMARY-GRANTED\n")
}

func (c *conn) cmdMaster(out []byte, args []string) []byte {
	return c.primary(out, args, "OK MASTER-GRANTED\n")
}

func (c *conn) primary(out []byte, args []string, ok string) []byte {
	if len(args) != 1 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	if c.s.lookup(args[0]) == nil {
		return appendErr(out, nutproto.ErrUnknownUPS)
	}
	if !c.permitted(action("PRIMARY"), "PRIMARY", "ups", args[0]) {
		return appendErr(out, nutproto.ErrAccessDenied)
	}
	return append(out, ok...)
}

func (c *conn) cmdFSD(out []byte, args []string) []byte {
	if len(args) != 1 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	u := c.s.lookup(args[0])
	if u == nil {
		return appendErr(out, nutproto.ErrUnknownUPS)
	}
	if !c.permitted(action("FSD"), "FSD", "ups", u.name) {
		return appendErr(out, nutproto.ErrAccessDenied)
	}
	c.s.log.Warn("forced shutdown set", "client", c.addr, "user", c.username, "ups", u.name)
	u.fsd.Store(true)
	u.watch.changed()
	return append(out, "OK FSD-SET\n"...)
}

func (c *conn) cmdGet(out []byte, args []string) []byte {
	if len(args) < 1 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	sub := strings.ToUpper(args[0])
	if sub == "TRACKING" {
		if len(args) < 2 {
			if c.tracking {
				return append(out, "ON\n"...)
			}
			return append(out, "OFF\n"...)
		}
		if !c.tracking {
			return appendErr(out, nutproto.ErrFeatureNotConfigured)
		}
		return append(append(out, c.s.tracking.get(args[1])...), '\n')
	}
	if sub == "NUMCLIENTS" {
		c.s.connMu.Lock()
		n := len(c.s.conns)
		c.s.connMu.Unlock()
		return appendReply(out, []string{"NUMCLIENTS", strconv.Itoa(n)})
	}
	if len(args) < 2 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	name := args[1]
	switch sub {
	case "NUMLOGINS":
		u := c.s.lookup(name)
		if u == nil {
			return appendErr(out, nutproto.ErrUnknownUPS)
		}
		out, ok := available(out, u.link.Availability())
		if !ok {
			return out
		}
		return appendReply(out, []string{"NUMLOGINS", name, strconv.Itoa(int(u.numLogins.Load()))})
	case "STATUSCHANGE":
		u := c.s.lookup(name)
		if u == nil {
			return appendErr(out, nutproto.ErrUnknownUPS)
		}
		t := u.statusChange.Load()
		if t == 0 {
			return appendErr(out, nutproto.ErrDataStale)
		}
		return appendReply(out, []string{"STATUSCHANGE", name, strconv.FormatFloat(float64(t/int64(time.Millisecond))/1e3, 'f', 3, 64)})
	case "UPSDESC":
		u := c.s.lookup(name)
		if u == nil {
			return appendErr(out, nutproto.ErrUnknownUPS)
		}
		return appendReply(out, []string{"UPSDESC", name}, descOr(u.desc, "Unavailable"))
	}
	if len(args) < 3 {
		return appendErr(out, nutproto.ErrInvalidArgument)
	}
	v := args[2]
	switch sub {
	case "VAR":
		return c.getVar(out, name, v)
	case "TYPE":
		return c.getType(out, name, v)
	case "DESC", "CMDDESC":
		u := c.s.lookup(name)
		if u == nil {
			return appendErr(out, nutproto.ErrUnknownUPS)
		}
		out, ok := available(out, u.link.Availability())
		if !ok {
			return out
		}
		descs := c.s.config().Descriptions
		var d string
		if sub == "DESC" {
			d, ok = descs.Var(v)
		} else {
			d, ok = descs.Cmd(v)
		}
		if !ok {
			d = "Description unavailable"
		}
		return appendReply(out, []string{sub, name, v}, d)
	}
	return appendErr(out, nutproto.ErrInvalidArgument)
}

func descOr(d, fallback string) string {
	if d == "" {
		return fallback
	}
	return d
}

func (c *conn) getVar(out []byte, name, v string) []byte {
	// NUT answers these for any UPS name and spells them in lower case.
	switch strings.ToLower(v) {
	case "server.info":
		return appendReply(out, []string{"VAR", name, "server.info"}, verLine)
	case "server.version":
		return appendReply(out, []string{"VAR", name, "server.version"}, Version)
	}
	u := c.s.lookup(name)
	if u == nil {
		return appendErr(out, nutproto.ErrUnknownUPS)
	}
	u.link.View(func(t *state.Tree, a driversock.Availability, dumping bool) {
		var ok bool
		if out, ok = available(out, a); !ok {
			return
		}
		isStatus := strings.EqualFold(v, "ups.status")
		if isStatus && dumping {
			out = appendReply(out, []string{"VAR", name, v}, "WAIT")
			return
		}
		node := t.Get(v)
		if node == nil {
			out = appendErr(out, nutproto.ErrVarNotSupported)
			return
		}
		val := node.Value
		if isStatus {
			val = u.shownStatus(val)
		}
		out = appendReply(out, []string{"VAR", name, v}, val)
	})
	return out
}

func (c *conn) getType(out []byte, name, v string) []byte {
	u := c.s.lookup(name)
	if u == nil {
		return appendErr(out, nutproto.ErrUnknownUPS)
	}
	u.link.View(func(t *state.Tree, a driversock.Availability, _ bool) {
		var ok bool
		if out, ok = available(out, a); !ok {
			return
		}
		node := t.Get(v)
		if node == nil {
			out = appendErr(out, nutproto.ErrVarNotSupported)
			return
		}
		out = append(out, "TYPE "...)
		out = append(out, name...)
		out = append(out, ' ')
		out = append(out, v...)
		if node.Flags&state.RW != 0 {
			out = append(out, " RW"...)
		}
		if len(node.Enums) > 0 {
			out = append(out, " ENUM"...)
		}
		if len(node.Ranges) > 0 {
			out = append(out, " RANGE"...)
		}
		if node.Flags&state.String != 0 {
			out = append(out, " STRING:"...)
			out = strconv.AppendInt(out, int64(node.Aux), 10)
			out = append(out, '\n')
			return
		}
		out = append(out, " NUMBER\n"...)
	})
	return out
}
