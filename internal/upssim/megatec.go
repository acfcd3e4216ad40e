package upssim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Fault is a way the simulated UPS misbehaves.
type Fault int

// Faults the Megatec simulator can inject.
const (
	None      Fault = iota
	Garbage         // answer Q1 with noise
	Truncated       // answer Q1 with half a reply and no CR
	Silent          // answer nothing at all
	// PulledMidReply sends half a Q1 reply and then unplugs, as when the
	// cable comes out while the UPS is talking.
	PulledMidReply
)

// Megatec is a simulated Megatec/Q1 UPS.
type Megatec struct {
	mu       sync.Mutex
	mains    bool
	low      bool
	testing  bool
	beeper   bool
	sab      bool           // "shutdown active" bit
	asked    map[string]int // Q1, F and I queries answered
	fault    Fault
	rejects  map[string]bool // commands answered with their echo
	received []string
	master   *os.File
}

// NewMegatec returns a UPS on mains with a full battery.
func NewMegatec() *Megatec {
	return &Megatec{mains: true, beeper: true, rejects: map[string]bool{}, asked: map[string]int{}}
}

// SetShutdownActive sets the "shutdown active" status bit.
func (m *Megatec) SetShutdownActive(on bool) { m.mu.Lock(); m.sab = on; m.mu.Unlock() }

// Asked returns how often the query (Q1, F or I) was answered.
func (m *Megatec) Asked(query string) int { m.mu.Lock(); defer m.mu.Unlock(); return m.asked[query] }

// SetMains switches utility power.
func (m *Megatec) SetMains(on bool) { m.mu.Lock(); m.mains = on; m.mu.Unlock() }

// SetLowBattery sets the battery-low bit.
func (m *Megatec) SetLowBattery(low bool) { m.mu.Lock(); m.low = low; m.mu.Unlock() }

// SetFault makes the UPS misbehave (or behave again with None).
func (m *Megatec) SetFault(f Fault) { m.mu.Lock(); m.fault = f; m.mu.Unlock() }

// Reject makes the UPS refuse a command by echoing it.
func (m *Megatec) Reject(cmd string) { m.mu.Lock(); m.rejects[cmd] = true; m.mu.Unlock() }

// Received returns the commands other than Q1/F/I that the UPS was sent.
func (m *Megatec) Received() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.received...)
}

// Serve answers on a new pty until Unplug, and returns the slave's path.
func (m *Megatec) Serve() (string, error) {
	master, slave, err := OpenPTY()
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	m.master = master
	m.mu.Unlock()
	go m.loop(master)
	return slave, nil
}

// Unplug closes the master side: the driver's reads fail as when a USB
// serial adapter is pulled.
func (m *Megatec) Unplug() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.master != nil {
		m.master.Close()
		m.master = nil
	}
}

func (m *Megatec) loop(f *os.File) {
	var line []byte
	buf := make([]byte, 256)
	for {
		n, err := f.Read(buf)
		if errors.Is(err, os.ErrClosed) {
			return // unplugged
		}
		if err != nil {
			// EIO while no one has the slave open: a real UPS stays
			// there when the host closes its port, so wait for the next.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		line = append(line, buf[:n]...)
		for {
			i := bytes.IndexByte(line, '\r')
			if i < 0 {
				break
			}
			cmd := string(line[:i])
			line = line[i+1:]
			if reply := m.answer(cmd); reply != "" {
				f.Write([]byte(reply))
			}
			m.mu.Lock()
			pull := cmd == "Q1" && m.fault == PulledMidReply
			m.mu.Unlock()
			if pull {
				m.Unplug()
				return
			}
		}
	}
}

// answer returns the bytes to send back for one command.
func (m *Megatec) answer(cmd string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fault == Silent {
		return ""
	}
	switch cmd {
	case "Q1", "F", "I":
		m.asked[cmd]++
	}
	switch cmd {
	case "Q1":
		switch m.fault {
		case Garbage:
			return "\x00\xffNAK garbage\r"
		case Truncated, PulledMidReply:
			return "(230.0 229.0 2"
		}
		vin, vout := 230.4, 229.8
		b7 := "0"
		if !m.mains {
			vin, b7 = 0, "1"
		}
		bits := b7 + b(m.low) + "0" + "0" + "1" + b(m.testing) + b(m.sab) + b(m.beeper)
		return fmt.Sprintf("(%05.1f %05.1f %05.1f %03d %04.1f %4.2f %04.1f %s\r", vin, 140.0, vout, 23, 50.0, 2.27, 30.5, bits)
	case "F":
		return "#230.0 004 12.00 50.0\r"
	case "I":
		return fmt.Sprintf("#%-15s %-10s %-10s\r", "MEGATEC", "SIM-1000", "V1.0")
	}
	m.received = append(m.received, cmd)
	if m.rejects[cmd] {
		return cmd + "\r"
	}
	switch cmd {
	case "Q":
		m.beeper = !m.beeper
	case "T", "TL":
		m.testing = true
	case "CT":
		m.testing = false
	}
	return ""
}

func b(v bool) string {
	if v {
		return "1"
	}
	return "0"
}
