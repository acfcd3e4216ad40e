package config

import (
	"strconv"
	"time"
)

// UpsdConf is upsd.conf.
type UpsdConf struct {
	File           string
	MaxAge         time.Duration
	TrackingDelay  time.Duration
	AllowNoDevice  bool
	MaxConn        int // 0: no limit of our own
	StatePath      string
	DataPath       string
	Listen         []Listen
	CertFile       string
	CertPath       string
	CertIdent      [2]string
	CertRequest    int
	DisableWeakSSL bool
	DebugMin       int
	// Lines maps each directive given to the line of its last use, so
	// that errors found later (a certificate that will not load) can
	// still name file:line.
	Lines map[string]int
}

// Where returns "file:line" for a directive, or the file alone.
func (c *UpsdConf) Where(directive string) string { return where(c.File, c.Lines, directive) }

// where is "file:line" of a directive's last use, or the file alone.
func where(file string, lines map[string]int, directive string) string {
	if n, ok := lines[directive]; ok {
		return file + ":" + strconv.Itoa(n)
	}
	return file
}

// Listen is one LISTEN directive.
type Listen struct {
	Addr string
	Port int
	Line int
}

// DefaultPort is NUT's TCP port.
const DefaultPort = 3493

// DefaultUpsdConf is what upsd runs with when upsd.conf sets nothing.
func DefaultUpsdConf() *UpsdConf {
	return &UpsdConf{MaxAge: 15 * time.Second, TrackingDelay: time.Hour, Lines: map[string]int{}}
}

// ListenAddrs returns host:port strings to bind: the LISTEN directives, or
// 127.0.0.1 and ::1 on port 3493. "*" binds every address.
func (c *UpsdConf) ListenAddrs() []string {
	if len(c.Listen) == 0 {
		return []string{"127.0.0.1:3493", "[::1]:3493"}
	}
	var out []string
	for _, l := range c.Listen {
		host := l.Addr
		if host == "*" {
			host = ""
		}
		out = append(out, joinHostPort(host, l.Port))
	}
	return out
}

func joinHostPort(host string, port int) string {
	p := strconv.Itoa(port)
	for i := 0; i < len(host); i++ {
		if host[i] == ':' {
			return "[" + host + "]:" + p
		}
	}
	return host + ":" + p
}

// LoadUpsdConf reads upsd.conf. A missing file is not an error: upsd then
// runs on its defaults.
func LoadUpsdConf(path string) (*UpsdConf, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseUpsdConf(path, data)
}

// ParseUpsdConf parses upsd.conf data. Keywords are case-sensitive, as in NUT.
func ParseUpsdConf(name string, data []byte) (*UpsdConf, error) {
	p := &problems{file: name}
	c := DefaultUpsdConf()
	c.File = name
	for _, l := range lex(p, data) {
		w := l.words
		args := w[1:]
		c.Lines[w[0]] = l.num
		want := func(min, max int) bool {
			if len(args) < min || len(args) > max {
				if min == max {
					p.add(l.num, "%s takes %d argument(s), got %d", w[0], min, len(args))
				} else {
					p.add(l.num, "%s takes %d to %d arguments, got %d", w[0], min, max, len(args))
				}
				return false
			}
			return true
		}
		num := func(dst *int) {
			if !want(1, 1) {
				return
			}
			n, err := parseUint(args[0])
			if err != nil {
				p.add(l.num, "%s: %v", w[0], err)
				return
			}
			*dst = n
		}
		boolean := func(dst *bool) {
			if !want(1, 1) {
				return
			}
			b, err := parseBool(args[0])
			if err != nil {
				p.add(l.num, "%s: %v", w[0], err)
				return
			}
			*dst = b
		}
		str := func(dst *string) {
			if want(1, 1) {
				*dst = args[0]
			}
		}
		switch w[0] {
		case "MAXAGE":
			var n int
			num(&n)
			if n > 0 {
				c.MaxAge = time.Duration(n) * time.Second
			}
		case "TRACKINGDELAY":
			var n int
			num(&n)
			if n > 0 {
				c.TrackingDelay = time.Duration(n) * time.Second
			}
		case "ALLOW_NO_DEVICE":
			boolean(&c.AllowNoDevice)
		case "MAXCONN":
			num(&c.MaxConn)
		case "STATEPATH":
			str(&c.StatePath)
		case "DATAPATH":
			str(&c.DataPath)
		case "CERTFILE":
			str(&c.CertFile)
		case "CERTPATH":
			str(&c.CertPath)
		case "CERTIDENT":
			if want(2, 2) {
				c.CertIdent = [2]string{args[0], args[1]}
			}
		case "CERTREQUEST":
			num(&c.CertRequest)
			if c.CertRequest > 2 {
				p.add(l.num, "CERTREQUEST must be 0, 1 or 2")
			}
		case "DISABLE_WEAK_SSL":
			boolean(&c.DisableWeakSSL)
		case "DEBUG_MIN":
			num(&c.DebugMin)
		case "LISTEN":
			if !want(1, 2) {
				continue
			}
			ls := Listen{Addr: args[0], Port: DefaultPort, Line: l.num}
			if len(args) == 2 {
				n, err := strconv.Atoi(args[1])
				if err != nil || n < 1 || n > 65535 {
					p.add(l.num, "LISTEN: %q is not a port number", args[1])
					continue
				}
				ls.Port = n
			}
			c.Listen = append(c.Listen, ls)
		case "ACL", "ACCEPT", "REJECT":
			p.add(l.num, "%s was removed from NUT in 2.4; use LISTEN, or IPAddressAllow=/IPAddressDeny= on the socket unit", w[0])
		default:
			p.add(l.num, "unknown directive %q (upsd.conf keywords are case-sensitive)", w[0])
		}
	}
	return c, p.err()
}
