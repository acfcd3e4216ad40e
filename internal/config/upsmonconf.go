package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// UpsmonConf is upsmon.conf.
type UpsmonConf struct {
	File           string
	Monitors       []Monitor
	MinSupplies    int
	PollFreq       time.Duration
	PollFreqAlert  time.Duration
	HostSync       time.Duration
	DeadTime       time.Duration
	RBWarnTime     time.Duration
	NoCommWarnTime time.Duration
	FinalDelay     time.Duration
	OffDuration    time.Duration
	// ScheduleShutdown (sysnut's own directive SCHEDULESHUTDOWN seconds)
	// asks logind for a power-off that long after mains fails, and cancels
	// it when mains returns, as powstatd's FAIL/OK pair does.
	ScheduleShutdown time.Duration
	ShutdownCmd      string
	NotifyCmd        string
	PowerDownFlag    string
	RunAsUser        string
	NotifyMsg        map[string]string // by notify type
	NotifyFlag       map[string]NotifyFlags
	CertPath         string
	CertIdent        [2]string
	CertHost         []CertHost
	CertVerify       bool
	ForceSSL         bool
	CertFile         string
	DebugMin         int
	// Warnings are what NUT's upsmon warns about and ignores (an unknown
	// notify type): "file:line: cause" each.
	Warnings []string
	// Lines maps each directive given to the line of its last use.
	Lines map[string]int
}

// Where returns "file:line" for a directive, or the file alone.
func (c *UpsmonConf) Where(directive string) string { return where(c.File, c.Lines, directive) }

// Monitor is one MONITOR line.
type Monitor struct {
	UPS      string // name on the server
	Host     string
	Port     int
	Power    int
	User     string
	Password string
	Primary  bool
	Line     int
}

// System is the MONITOR string "ups@host[:port]" that notifications print.
func (m Monitor) System() string {
	if m.Port != DefaultPort {
		return fmt.Sprintf("%s@%s:%d", m.UPS, m.Host, m.Port)
	}
	return m.UPS + "@" + m.Host
}

// CertHost is one CERTHOST line.
type CertHost struct {
	Host, CertName   string
	Verify, ForceSSL bool
}

// NotifyFlags say how a notification is delivered.
type NotifyFlags uint8

// Notification delivery flags (NOTIFYFLAG).
const (
	NotifySyslog NotifyFlags = 1 << iota
	NotifyWall
	NotifyExec
	NotifyIgnore NotifyFlags = 0
)

// NotifyTypes are the notification names upsmon.conf may configure.
var NotifyTypes = []string{
	"ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "REPLBATT",
	"NOCOMM", "NOPARENT", "CAL", "NOTCAL", "OFF", "NOTOFF", "BYPASS", "NOTBYPASS",
	"OVER", "NOTOVER", "TRIM", "NOTTRIM", "BOOST", "NOTBOOST", "ALARM", "NOTALARM",
	"SHUTDOWN_HOSTSYNC",
	// Types of NUT releases after 2.8.0: accepted, so that an upsmon.conf
	// written for them works; ECO/NOTECO are raised, the others not yet.
	"ECO", "NOTECO", "OTHER", "NOTOTHER", "SUSPEND_STARTING", "SUSPEND_FINISHED",
}

func isNotifyType(s string) bool {
	for _, t := range NotifyTypes {
		if t == s {
			return true
		}
	}
	return false
}

// DefaultUpsmonConf holds NUT's defaults.
func DefaultUpsmonConf() *UpsmonConf {
	return &UpsmonConf{
		MinSupplies: 1, PollFreq: 5 * time.Second, PollFreqAlert: 5 * time.Second,
		HostSync: 15 * time.Second, DeadTime: 15 * time.Second, RBWarnTime: 43200 * time.Second,
		NoCommWarnTime: 300 * time.Second, FinalDelay: 5 * time.Second, OffDuration: 30 * time.Second,
		NotifyMsg: map[string]string{}, NotifyFlag: map[string]NotifyFlags{},
	}
}

// ParseMonitorTarget splits "ups[@host[:port]]".
func ParseMonitorTarget(s string) (ups, host string, port int, err error) {
	ups, hp, found := strings.Cut(s, "@")
	host, port = "localhost", DefaultPort
	if ups == "" {
		return "", "", 0, fmt.Errorf("%q: missing UPS name", s)
	}
	if !found {
		return ups, host, port, nil
	}
	host = hp
	if strings.HasPrefix(hp, "[") {
		if end := strings.Index(hp, "]"); end > 0 {
			host = hp[1:end]
			hp = hp[end+1:]
			if strings.HasPrefix(hp, ":") {
				return parsePort(s, ups, host, hp[1:])
			}
			return ups, host, port, nil
		}
	}
	if h, ps, ok := strings.Cut(hp, ":"); ok && !strings.Contains(ps, ":") {
		return parsePort(s, ups, h, ps)
	}
	return ups, host, port, nil
}

func parsePort(s, ups, host, ps string) (string, string, int, error) {
	n, err := strconv.Atoi(ps)
	if err != nil || n < 1 || n > 65535 {
		return "", "", 0, fmt.Errorf("%q: bad port %q", s, ps)
	}
	if host == "" {
		return "", "", 0, fmt.Errorf("%q: missing host", s)
	}
	return ups, host, n, nil
}

// LoadUpsmonConf reads upsmon.conf.
func LoadUpsmonConf(path string) (*UpsmonConf, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return ParseUpsmonConf(path, data)
}

// ParseUpsmonConf parses upsmon.conf data. Keywords are case-sensitive.
func ParseUpsmonConf(name string, data []byte) (*UpsmonConf, error) {
	p := &problems{file: name}
	c := DefaultUpsmonConf()
	c.File = name
	c.Lines = map[string]int{}
	for _, l := range lex(p, data) {
		w := l.words
		c.Lines[w[0]] = l.num
		args := w[1:]
		want := func(n int) bool {
			if len(args) != n {
				p.add(l.num, "%s takes %d argument(s), got %d", w[0], n, len(args))
				return false
			}
			return true
		}
		secs := func(dst *time.Duration) {
			if !want(1) {
				return
			}
			n, err := parseUint(args[0])
			if err != nil {
				p.add(l.num, "%s: %v", w[0], err)
				return
			}
			*dst = time.Duration(n) * time.Second
		}
		str := func(dst *string) {
			if want(1) {
				*dst = args[0]
			}
		}
		boolean := func(dst *bool) {
			if !want(1) {
				return
			}
			b, err := parseBool(args[0])
			if err != nil {
				p.add(l.num, "%s: %v", w[0], err)
				return
			}
			*dst = b
		}
		switch w[0] {
		case "MONITOR":
			if !want(5) {
				continue
			}
			ups, host, port, err := ParseMonitorTarget(args[0])
			if err != nil {
				p.add(l.num, "MONITOR: %v", err)
				continue
			}
			pv, err := parseUint(args[1])
			if err != nil {
				p.add(l.num, "MONITOR: power value: %v", err)
				continue
			}
			m := Monitor{UPS: ups, Host: host, Port: port, Power: pv, User: args[2], Password: args[3], Line: l.num}
			switch strings.ToLower(args[4]) {
			case "primary", "master":
				m.Primary = true
			case "secondary", "slave":
			default:
				p.add(l.num, "MONITOR: %q is neither primary nor secondary", args[4])
				continue
			}
			c.Monitors = append(c.Monitors, m)
		case "MINSUPPLIES":
			if want(1) {
				n, err := parseUint(args[0])
				if err != nil {
					p.add(l.num, "MINSUPPLIES: %v", err)
					continue
				}
				c.MinSupplies = n
			}
		case "POLLFREQ":
			secs(&c.PollFreq)
		case "POLLFREQALERT":
			secs(&c.PollFreqAlert)
		case "HOSTSYNC":
			secs(&c.HostSync)
		case "DEADTIME":
			secs(&c.DeadTime)
		case "RBWARNTIME":
			secs(&c.RBWarnTime)
		case "NOCOMMWARNTIME":
			secs(&c.NoCommWarnTime)
		case "FINALDELAY":
			secs(&c.FinalDelay)
		case "OFFDURATION":
			secs(&c.OffDuration)
		case "SCHEDULESHUTDOWN":
			secs(&c.ScheduleShutdown)
		case "SHUTDOWNCMD":
			str(&c.ShutdownCmd)
		case "NOTIFYCMD":
			str(&c.NotifyCmd)
		case "POWERDOWNFLAG":
			str(&c.PowerDownFlag)
		case "RUN_AS_USER":
			str(&c.RunAsUser)
		case "CERTPATH":
			str(&c.CertPath)
		case "CERTFILE":
			str(&c.CertFile)
		case "CERTIDENT":
			if want(2) {
				c.CertIdent = [2]string{args[0], args[1]}
			}
		case "CERTHOST":
			if !want(4) {
				continue
			}
			v, err1 := parseBool(args[2])
			f, err2 := parseBool(args[3])
			if err1 != nil || err2 != nil {
				p.add(l.num, "CERTHOST: verify and forcessl must be 0 or 1")
				continue
			}
			c.CertHost = append(c.CertHost, CertHost{Host: args[0], CertName: args[1], Verify: v, ForceSSL: f})
		case "CERTVERIFY":
			boolean(&c.CertVerify)
		case "FORCESSL":
			boolean(&c.ForceSSL)
		case "DEBUG_MIN":
			if want(1) {
				n, err := parseUint(args[0])
				if err != nil {
					p.add(l.num, "DEBUG_MIN: %v", err)
					continue
				}
				c.DebugMin = n
			}
		case "NOTIFYMSG":
			if !want(2) {
				continue
			}
			t := strings.ToUpper(args[0])
			if !isNotifyType(t) {
				// NUT warns and carries on, so that a newer file works.
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s:%d: NOTIFYMSG: unknown notify type %q: ignored", name, l.num, args[0]))
				continue
			}
			if n := strings.Count(strings.ReplaceAll(args[1], "%%", ""), "%"); n > 1 || (n == 1 && !strings.Contains(args[1], "%s")) {
				p.add(l.num, "NOTIFYMSG %s: the message may hold one %%s and nothing else with %%", t)
				continue
			}
			c.NotifyMsg[t] = args[1]
		case "NOTIFYFLAG":
			if !want(2) {
				continue
			}
			t := strings.ToUpper(args[0])
			if !isNotifyType(t) {
				// NUT warns and carries on, so that a newer file works.
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s:%d: NOTIFYFLAG: unknown notify type %q: ignored", name, l.num, args[0]))
				continue
			}
			var f NotifyFlags
			ok := true
			for _, part := range strings.Split(args[1], "+") {
				switch strings.ToUpper(part) {
				case "SYSLOG":
					f |= NotifySyslog
				case "WALL":
					f |= NotifyWall
				case "EXEC":
					f |= NotifyExec
				case "IGNORE":
				default:
					p.add(l.num, "NOTIFYFLAG: unknown flag %q (SYSLOG, WALL, EXEC, IGNORE)", part)
					ok = false
				}
			}
			if ok {
				c.NotifyFlag[t] = f
			}
		default:
			p.add(l.num, "unknown directive %q (upsmon.conf keywords are case-sensitive)", w[0])
		}
	}
	total := 0
	for _, m := range c.Monitors {
		total += m.Power
	}
	if len(c.Monitors) > 0 && total < c.MinSupplies {
		p.add(0, "the MONITOR power values add up to %d, less than MINSUPPLIES %d: this system would shut down at once", total, c.MinSupplies)
	}
	return c, p.err()
}
