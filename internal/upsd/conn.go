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
	"syscall"
	"time"

	"github.com/sysnut/sysnut/internal/config"
	"github.com/sysnut/sysnut/internal/driversock"
	"github.com/sysnut/sysnut/internal/nutproto"
	"github.com/sysnut/sysnut/internal/rawsock"
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
	// carry and held: what the loop left for a goroutine (fed.rest and
	// fed.held).
	carry []byte
	held  bool

	parseErrLogged bool
	lex            nutproto.Lexer // kept across parking
	lastLine       time.Time      // when the last complete line came
	closed         atomic.Bool
	parked         *expiry         // while in the loop; its lock guards this
	raw            syscall.RawConn // nc's descriptor, for the loop
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

// serve reads lines and answers them on a goroutine of its own. All replies
// to one read are written with one write, up to flushAt. A plain TCP
// connection goes back to the loop as soon as it has been answered: serve
// then returns true, and the loop calls it again only for a line that may
// wait (carried over, see loop.go). Otherwise (TLS, or no loop) serve
// returns false once the connection is closed.
func (c *conn) serve(ctx context.Context) (parked bool) {
	c.ctx = ctx
	defer func() {
		if !parked {
			c.close()
		}
	}()
	cfg := c.s.config()
	if c.carry != nil || c.held || len(c.out) > 0 {
		// Handed over by the loop: answer what it left, and write what
		// the socket did not take.
		f := c.feed(c.carry, c.held, false)
		c.carry, c.held = nil, false
		if !c.settle(ctx, f.rest) {
			return false
		}
	}
	var buf []byte
	active := time.Now() // when bytes last came
	var armed time.Time  // active when the deadline was last set
	for !c.closing {
		if c.s.loop != nil && parkable(c) && !c.upgrade && len(c.out) == 0 && c.s.loop.park(c, c.idleEnd(cfg)) {
			return true
		}
		// Moving the deadline costs a timer update: do it at most once a
		// second, which is all the precision these timeouts need.
		if active.Sub(armed) >= time.Second || armed.IsZero() {
			_ = c.rw.SetReadDeadline(c.idleEnd(cfg))
			armed = active
		}
		if buf == nil {
			buf = make([]byte, 512)
		}
		n, err := c.rw.Read(buf)
		if n > 0 {
			active = time.Now()
		}
		f := c.feed(buf[:n], false, false)
		if f.lines {
			c.lastLine = active
			c.sentLine.Store(true)
		}
		if !c.flush() || ctx.Err() != nil {
			return false
		}
		if err != nil {
			// The deadline moves once a second at most: it may come a
			// little before the idle timeout itself.
			if end := c.idleEnd(cfg); isTimeout(err) && (end.IsZero() || time.Now().Before(end)) {
				armed = time.Time{}
				continue
			}
			return false
		}
		if c.upgrade {
			armed = time.Time{} // the handshake set its own
		}
		if !c.settle(ctx, f.rest) {
			return false
		}
	}
	return false
}

// settle writes the replies of one read and, after STARTTLS, runs the
// handshake with early, the bytes that came after it; false when the
// connection is to be closed.
func (c *conn) settle(ctx context.Context, early []byte) bool {
	if !c.flush() || ctx.Err() != nil {
		return false
	}
	if c.upgrade {
		if !c.handshake(ctx, early) {
			return false
		}
		c.lex = newLexer()
		c.lastLine = time.Now()
	}
	return true
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

// write is flush with c.wmu held. On a plain socket WriteTimeout is armed
// only for what the socket does not take at once, and cleared after. Over
// TLS, like the read deadline, the write deadline moves at most once a
// second (each move is a timer update, and WriteTimeout needs no finer
// precision), or every half WriteTimeout if that is shorter, so that a
// write always has at least half of it.
func (c *conn) write() bool {
	var err error
	if timeout := c.s.config().WriteTimeout; c.rw == c.nc {
		// A plain socket: a deadline only if it is full. One left behind
		// is a timer that fires later for nothing (a wake-up after every
		// LIST a metrics exporter makes).
		_, err = rawsock.WriteWithin(c.rw, c.out, timeout)
	} else {
		// TLS has no socket to try first; moving the deadline costs a
		// timer update, at most once a second.
		if now := time.Now(); now.Sub(c.wArmed) >= min(time.Second, timeout/2) {
			_ = c.rw.SetWriteDeadline(now.Add(timeout))
			c.wArmed = now
		}
		_, err = c.rw.Write(c.out)
	}
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

// fed is what feed did with one read.
type fed struct {
	lines bool   // a complete line came (it resets the idle timer, as in NUT)
	rest  []byte // bytes not fed: after STARTTLS, or left by the loop
	stop  bool   // inline: feeding stopped before rest, for a goroutine to go on
	held  bool   // inline: the lexer's line is not answered yet (it may wait)
}

// feed runs one read's bytes through the lexer and appends the replies to
// c.out, writing them whenever flushAt is reached. After STARTTLS it stops
// and returns the unread bytes. held answers the lexer's current line
// first (one the loop left). Inline (on the loop's goroutine, which must
// never wait) it stops before a line whose command may wait, and where a
// goroutine would write at flushAt, so that a goroutine takes over there.
func (c *conn) feed(data []byte, held, inline bool) (f fed) {
	if c.watching.Load() {
		return f // a watching client's lines are ignored (watch.go)
	}
	if held && c.answer(&f, data, inline, lookup(c.lex.Words())) {
		return f
	}
	for len(data) > 0 {
		n, r := c.lex.FeedBytes(data)
		data = data[n:]
		switch r {
		case nutproto.Line:
			f.lines = true
			cmd := lookup(c.lex.Words())
			if inline && cmd.mayWait {
				f.rest, f.stop, f.held = data, true, true
				return f
			}
			if c.answer(&f, data, inline, cmd) {
				return f
			}
		case nutproto.Failed:
			// NUT answers nothing and drops the rest of this read. Said
			// once per connection: a client can send many.
			if !c.parseErrLogged {
				c.parseErrLogged = true
				c.s.log.Info("parse error from client (further ones on this connection not logged)", "client", c.addr, "err", c.lex.Err())
			}
			return f
		}
	}
	return f
}

// answer dispatches the lexer's line, whose command is cmd; true when
// feeding stops after it. After LOGOUT NUT still answers the rest of the
// read, so that does not.
func (c *conn) answer(f *fed, rest []byte, inline bool, cmd command) bool {
	c.out = c.dispatch(c.out, c.lex.Words(), cmd)
	switch {
	case c.watching.Load():
		return true
	case c.upgrade && (len(rest) == 0 || rest[0] == 0x16):
		// After STARTTLS the rest of the read is the start of the
		// ClientHello (a TLS record starts with 0x16). Anything else is
		// lines, which NUT answers in clear text before the handshake.
		f.rest = rest
		return true
	case len(c.out) < flushAt:
		return false
	case inline:
		f.rest, f.stop = rest, true
		return true
	case !c.flush():
		c.closing = true
		return true
	}
	return false
}

// finish releases what a closed connection held: its login.
func (c *conn) finish() {
	c.unwatch()
	if u := c.loginUPS.Load(); u != nil {
		u.numLogins.Add(-1)
		c.s.log.Info(fmt.Sprintf("%s (user %s) logged out", c.addr, c.username), "client", c.addr, "ups", u.name, "user", c.username)
	}
}

// command table: name -> handler, whether it needs USERNAME and PASSWORD,
// and whether it may wait: for a password check's turn (every command
// that needs a user, and WATCH), for a client to take a reply too big to
// hold (LIST), or for a handshake (STARTTLS). The loop answers the others
// itself and hands a connection to a goroutine for these (mayWait).
type handler func(c *conn, out []byte, args []string) []byte

// command is an entry of the table; the zero command is an unknown one.
type command struct {
	fn       handler
	needUser bool
	mayWait  bool
}

var commands = map[string]command{
	"VER":      {(*conn).cmdVer, false, false},
	"NETVER":   {(*conn).cmdNetver, false, false},
	"PROTVER":  {(*conn).cmdNetver, false, false},
	"HELP":     {(*conn).cmdHelp, false, false},
	"STARTTLS": {(*conn).cmdStarttls, false, true},
	"GET":      {(*conn).cmdGet, false, false},
	"LIST":     {(*conn).cmdList, false, true},
	"USERNAME": {(*conn).cmdUsername, false, false},
	"PASSWORD": {(*conn).cmdPassword, false, false},
	"LOGOUT":   {(*conn).cmdLogout, false, false},
	"LOGIN":    {(*conn).cmdLogin, true, true},
	"PRIMARY":  {(*conn).cmdPrimary, true, true},
	"MASTER":   {(*conn).cmdMaster, true, true},
	"FSD":      {(*conn).cmdFSD, true, true},
	"SET":      {(*conn).cmdSet, true, true},
	"INSTCMD":  {(*conn).cmdInstcmd, true, true},
	"WATCH":    {(*conn).cmdWatch, false, true},
}

// lookup finds a request line's command, once per line: the loop asks
// whether it may wait, then dispatch runs it.
func lookup(w []string) command {
	if len(w) == 0 {
		return command{}
	}
	return commands[strings.ToUpper(w[0])]
}

// dispatch answers the request line w, whose command is cmd (lookup).
func (c *conn) dispatch(out []byte, w []string, cmd command) []byte {
	if cmd.fn == nil {
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
