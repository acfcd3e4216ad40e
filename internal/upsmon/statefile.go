package upsmon

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// State is what the monitor has decided, published for readers that are
// not the monitor (ups-metrics): which UPS it sees on battery since when,
// and when it will power the machine off. The file is rewritten, whole
// and atomically, only when something in it changes.
type State struct {
	UPS []UPSState `json:"ups"`
	// ShutdownScheduledAt is when the power-off SCHEDULESHUTDOWN asked
	// logind for will happen; nil when none is pending.
	ShutdownScheduledAt *time.Time `json:"shutdown_scheduled_at,omitempty"`
	// ShuttingDown is set once the shutdown sequence has started.
	ShuttingDown bool `json:"shutting_down"`
}

// UPSState is one MONITOR line's state.
type UPSState struct {
	System    string `json:"system"` // ups@host[:port]
	Power     int    `json:"power_value"`
	Primary   bool   `json:"primary"`
	Reachable bool   `json:"reachable"`
	Status    string `json:"status"` // the tokens last read, sorted
	// OnBatterySince is when the monitor first saw OB in the power failure
	// that is still going on (ONBATT); nil on line power.
	OnBatterySince *time.Time `json:"on_battery_since,omitempty"`
}

// state is the monitor's current State.
func (m *Monitor) state() State {
	var s State
	for _, u := range m.UPS {
		us := UPSState{System: u.System, Power: u.Conf.Power, Primary: u.Conf.Primary, Reachable: u.commOK, Status: u.Status()}
		if !u.onBattSince.IsZero() {
			t := u.onBattSince.UTC()
			us.OnBatterySince = &t
		}
		s.UPS = append(s.UPS, us)
	}
	return s
}

// publishState writes the state file when the state differs from what it
// last wrote. A failure is logged once per cause and changes nothing else:
// the file is for people and graphs, never for a decision.
func (r *Runner) publishState() {
	if r.StateFile == "" {
		return
	}
	s := r.Monitor.state()
	if !r.scheduledAt.IsZero() {
		t := r.scheduledAt.UTC()
		s.ShutdownScheduledAt = &t
	}
	s.ShuttingDown = r.shuttingDown
	b, err := json.MarshalIndent(s, "", "  ")
	if err == nil && string(b) == string(r.stateWritten) {
		return
	}
	if err == nil {
		err = writeAtomic(r.StateFile, append(b, '\n'))
	}
	if err != nil {
		if msg := err.Error(); msg != r.stateErr {
			r.stateErr = msg
			r.Log.Warn("cannot write the state file", "file", r.StateFile, "err", err)
		}
		return
	}
	r.stateWritten, r.stateErr = b, ""
}

// writeAtomic replaces path with data (mode 0644), so that a reader sees
// the old file or the new one, never a part: the state file, the PID file
// and the killpower flag.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadState reads a state file upsmon wrote.
func ReadState(path string) (State, error) {
	var s State
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
