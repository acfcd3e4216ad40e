package upsmon

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sysnut/sysnut/internal/config"
)

// UPS is what the monitor knows of one MONITOR line.
type UPS struct {
	Conf   config.Monitor
	System string // ups@host[:port], as notifications print it

	status      map[string]bool
	known       bool // a status has been read since start
	commOK      bool
	everOK      bool
	lastOK      time.Time // last successful poll
	lastNonCrit time.Time // last poll at which the UPS was not OB+LB
	firstFail   time.Time // start of the current communication failure
	lastNoComm  time.Time
	lastRB      time.Time
	offSince    time.Time
	onBattery   bool      // line state, for ONLINE after ONBATT only
	onBattSince time.Time // when ONBATT was announced, while onBattery
	// lowestCharge is the lowest battery.charge read on battery, reported
	// with ONLINE (the outage history) and forgotten on line power.
	lowestCharge    string
	lowestChargeVal float64
}

// SampleCharge records a battery.charge read while u is on battery.
func (u *UPS) SampleCharge(v string) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return
	}
	if u.lowestCharge == "" || f < u.lowestChargeVal {
		u.lowestCharge, u.lowestChargeVal = v, f
	}
}

// LowestCharge is the lowest battery.charge sampled in this power
// failure, "" if none.
func (u *UPS) LowestCharge() string { return u.lowestCharge }

// OnBattery says whether u is in a power failure (ONBATT announced, no
// ONLINE yet).
func (u *UPS) OnBattery() bool { return u.onBattery }

// Status returns the current status tokens, space-separated.
func (u *UPS) Status() string {
	var s []string
	for t, on := range u.status {
		if on {
			s = append(s, t)
		}
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

func (u *UPS) has(t string) bool { return u.status[t] }

// Monitor holds every UPS and applies upsmon's rules to what polls return.
// It does no I/O: Runner polls and acts, tests drive it directly.
type Monitor struct {
	Conf   *config.UpsmonConf
	UPS    []*UPS
	Notify func(ctx context.Context, typ, system string)
	Now    func() time.Time
	start  time.Time
}

// NewMonitor builds the monitor for a parsed upsmon.conf.
func NewMonitor(c *config.UpsmonConf, notify func(ctx context.Context, typ, system string), now func() time.Time) *Monitor {
	m := &Monitor{Conf: c, Notify: notify, Now: now, start: now()}
	for _, mon := range c.Monitors {
		m.UPS = append(m.UPS, &UPS{Conf: mon, System: mon.System(), status: map[string]bool{}})
	}
	return m
}

// Reload switches the monitor to a new upsmon.conf. A UPS that is still
// monitored keeps what was learned about it (status, when contact was
// lost, whether it was ever reached, ONBATT already announced), matched by
// its MONITOR string, so that a reload neither resets DEADTIME nor
// announces a power failure twice, as NUT's upsmon keeps its UPS list
// across a reload. It returns the UPSes that are no longer monitored.
func (m *Monitor) Reload(c *config.UpsmonConf) (dropped []*UPS) {
	old := map[string]*UPS{}
	for _, u := range m.UPS {
		old[u.System] = u
	}
	m.Conf = c
	m.UPS = m.UPS[:0:0]
	for _, mon := range c.Monitors {
		u := old[mon.System()]
		if u != nil {
			delete(old, mon.System())
			u.Conf = mon
		} else {
			u = &UPS{Conf: mon, System: mon.System(), status: map[string]bool{}}
		}
		m.UPS = append(m.UPS, u)
	}
	for _, u := range old {
		dropped = append(dropped, u)
	}
	return dropped
}

// paired notifications: token -> (appears, disappears).
var paired = []struct{ token, on, off string }{
	{"CAL", "CAL", "NOTCAL"}, {"OFF", "OFF", "NOTOFF"}, {"BYPASS", "BYPASS", "NOTBYPASS"},
	{"OVER", "OVER", "NOTOVER"}, {"TRIM", "TRIM", "NOTTRIM"}, {"BOOST", "BOOST", "NOTBOOST"},
	{"ALARM", "ALARM", "NOTALARM"}, {"ECO", "ECO", "NOTECO"},
}

// Observe applies one poll: the status read, or the error that stopped it.
func (m *Monitor) Observe(ctx context.Context, u *UPS, status string, err error) {
	now := m.Now()
	if err != nil {
		if u.commOK || u.firstFail.IsZero() {
			u.firstFail = now
			if u.commOK {
				m.Notify(ctx, CommBad, u.System)
			}
		}
		u.commOK = false
		since := u.firstFail
		if !u.lastOK.IsZero() {
			since = u.lastOK
		}
		if now.Sub(since) >= m.Conf.NoCommWarnTime && now.Sub(u.lastNoComm) >= m.Conf.NoCommWarnTime {
			u.lastNoComm = now
			m.Notify(ctx, NoComm, u.System)
		}
		return
	}
	if !u.commOK && u.everOK {
		m.Notify(ctx, CommOK, u.System)
	}
	u.commOK, u.everOK, u.lastOK, u.firstFail = true, true, now, time.Time{}

	next := map[string]bool{}
	for _, t := range strings.Fields(status) {
		next[t] = true
	}
	prev, first := u.status, !u.known
	u.status, u.known = next, true

	if next["OL"] && u.onBattery {
		m.Notify(ctx, Online, u.System)
	}
	if next["OL"] {
		u.onBattery, u.onBattSince, u.lowestCharge = false, time.Time{}, ""
	}
	if next["OB"] && (!prev["OB"] || first) {
		if !u.onBattery {
			u.onBattSince = now
		}
		u.onBattery = true
		m.Notify(ctx, OnBatt, u.System)
	}
	if next["LB"] && (!prev["LB"] || first) {
		m.Notify(ctx, LowBatt, u.System)
	}
	if next["FSD"] && (!prev["FSD"] || first) {
		m.Notify(ctx, FSD, u.System)
	}
	if next["RB"] && now.Sub(u.lastRB) >= m.Conf.RBWarnTime {
		u.lastRB = now
		m.Notify(ctx, ReplBatt, u.System)
	}
	for _, p := range paired {
		switch {
		case next[p.token] && !prev[p.token]:
			m.Notify(ctx, p.on, u.System)
		case !next[p.token] && prev[p.token]:
			m.Notify(ctx, p.off, u.System)
		}
	}
	if next["OFF"] {
		if u.offSince.IsZero() {
			u.offSince = now
		}
	} else {
		u.offSince = time.Time{}
	}
	if !(next["OB"] && next["LB"]) {
		u.lastNonCrit = now
	}
}

// Critical applies upsmon's rules for a UPS that can no longer be counted
// on, and says why.
func (m *Monitor) Critical(u *UPS) (bool, string) {
	now := m.Now()
	if !u.everOK {
		return false, "" // a UPS never reached counts as healthy, as in NUT
	}
	if u.has("FSD") {
		return true, "forced shutdown (FSD) is set"
	}
	if !u.commOK {
		// Lost for longer than DEADTIME while last seen on battery: as LB.
		if now.Sub(u.lastOK) > m.Conf.DeadTime {
			if u.has("OB") {
				return true, "on battery when contact was lost more than DEADTIME ago"
			}
			// NUT 2.8.1+: a UPS last seen not protecting the load is no
			// safer than one on battery.
			for _, t := range []string{"CAL", "BYPASS", "OFF", "ALARM", "OVER"} {
				if u.has(t) {
					return true, t + " when contact was lost more than DEADTIME ago"
				}
			}
		}
		return false, ""
	}
	if u.has("OB") && u.has("LB") {
		if u.Conf.Primary {
			return true, "on battery and low"
		}
		// A secondary gives the primary HOSTSYNC to set FSD first.
		if now.Sub(u.lastNonCrit) >= m.Conf.HostSync {
			return true, "on battery and low, and the primary set no FSD within HOSTSYNC"
		}
		return false, ""
	}
	if !u.offSince.IsZero() && now.Sub(u.offSince) > m.Conf.OffDuration {
		return true, "administratively OFF for longer than OFFDURATION"
	}
	return false, ""
}

// ShutdownNeeded sums the power values of the UPSes that are not critical
// and compares with MINSUPPLIES.
func (m *Monitor) ShutdownNeeded() (bool, string) {
	total := 0
	var why []string
	for _, u := range m.UPS {
		if crit, reason := m.Critical(u); crit {
			why = append(why, u.System+": "+reason)
			continue
		}
		total += u.Conf.Power
	}
	if total < m.Conf.MinSupplies {
		return true, strings.Join(why, "; ")
	}
	return false, ""
}

// Alert reports whether any UPS is on battery, when polling speeds up to
// POLLFREQALERT.
func (m *Monitor) Alert() bool {
	for _, u := range m.UPS {
		if u.has("OB") {
			return true
		}
	}
	return false
}
