package dashboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The history of one UPS is one file of fixed size: a header, then two
// rings of fixed-size records, like an RRD. Recent: one record per
// RecentStep for RecentSlots (24 hours); past: one per PastStep (5
// minutes, the average of the recent records in it) for PastSlots (366
// days). A record's slot is its time divided by the step, modulo the
// slots; each record carries its own time and a checksum, so an old or
// torn slot is recognised and skipped. The file never grows past
// FileSize: about 4.4 MiB per UPS, whatever the time it runs.
const (
	RecentStep  = 10 * time.Second
	RecentSlots = 8640
	PastStep    = 5 * time.Minute
	PastSlots   = 105408

	headerSize = 16
	recordSize = 40
	// FileSize is the size of a UPS's history file.
	FileSize = headerSize + (RecentSlots+PastSlots)*recordSize
)

var magic = [8]byte{'S', 'Y', 'S', 'N', 'U', 'T', 'H', '1'}

// Fields are the figures a sample keeps, in record order.
var Fields = []string{"battery.charge", "battery.runtime", "ups.load", "input.voltage", "output.voltage", "battery.voltage"}

// Flags are the status words a sample keeps, bit i for Flags[i]; the
// last bit says the data was stale.
var Flags = []string{"OL", "OB", "LB", "HB", "RB", "CHRG", "DISCHRG", "BYPASS", "CAL", "OFF", "OVER", "TRIM", "BOOST", "FSD"}

// FlagStale marks a sample taken while upsd had no data for the UPS.
const FlagStale = 1 << 31

// Sample is one point of history. A value that the UPS does not report
// is NaN.
type Sample struct {
	Time   time.Time
	Values [6]float32
	Flags  uint32
}

// StatusFlags turns ups.status into Flags bits.
func StatusFlags(status string) uint32 {
	var f uint32
	for _, w := range strings.Fields(status) {
		for i, name := range Flags {
			if w == name {
				f |= 1 << i
			}
		}
	}
	return f
}

// Store keeps the history of every UPS in a directory.
type Store struct {
	dir string
	log *slog.Logger
	mu  sync.Mutex
	ups map[string]*history
}

// OpenStore uses dir (the unit's StateDirectory).
func OpenStore(dir string, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Store{dir: dir, log: log, ups: map[string]*history{}}, nil
}

// Close closes every history file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, h := range s.ups {
		errs = append(errs, h.f.Close())
	}
	s.ups = map[string]*history{}
	return errors.Join(errs...)
}

// fileName is a UPS's history file: its name with bytes outside
// [A-Za-z0-9._-] as %xx, so that any UPS name is one file in dir.
func fileName(ups string) string {
	var b strings.Builder
	for i := 0; i < len(ups); i++ {
		c := ups[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || (c == '.' && i > 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String() + ".history"
}

func (s *Store) get(ups string) (*history, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.ups[ups]; h != nil {
		return h, nil
	}
	h, err := openHistory(filepath.Join(s.dir, fileName(ups)))
	if h == nil {
		return nil, err
	}
	if err != nil {
		s.log.Warn("history file replaced", "ups", ups, "err", err)
	}
	s.ups[ups] = h
	return h, nil
}

// Add records a sample of ups.
func (s *Store) Add(ups string, smp Sample) error {
	h, err := s.get(ups)
	if err != nil {
		return err
	}
	return h.add(smp)
}

// Range returns ups's samples in [from, to], oldest first: the recent
// ring's while from is within it, the past ring's before.
func (s *Store) Range(ups string, from, to time.Time) ([]Sample, time.Duration, error) {
	h, err := s.get(ups)
	if err != nil {
		return nil, 0, err
	}
	return h.rangeOf(from, to)
}

// history is one UPS's file; the recent ring is also kept in memory.
type history struct {
	mu     sync.Mutex
	f      *os.File
	recent [RecentSlots]Sample // zero Time: empty slot
}

// openHistory opens or creates a history file. A file that is not one
// (wrong magic or size) is an error naming it, never overwritten: it is
// moved aside and a new one started, so nothing is lost by accident.
func openHistory(path string) (*history, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	h := &history{f: f}
	if err := h.load(); err != nil {
		f.Close()
		aside := path + ".bad-" + time.Now().UTC().Format("20060102T150405")
		if rerr := os.Rename(path, aside); rerr != nil {
			return nil, fmt.Errorf("%s: %w (and cannot move it aside: %v)", path, err, rerr)
		}
		f, err2 := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err2 != nil {
			return nil, err2
		}
		h = &history{f: f}
		if err2 := h.load(); err2 != nil {
			f.Close()
			return nil, err2
		}
		return h, fmt.Errorf("%s: %w; moved to %s, a new history begins", path, err, aside)
	}
	return h, nil
}

// load checks the header (writing it in an empty file) and reads the
// recent ring.
func (h *history) load() error {
	st, err := h.f.Stat()
	if err != nil {
		return err
	}
	if st.Size() == 0 {
		var hdr [headerSize]byte
		copy(hdr[:], magic[:])
		binary.LittleEndian.PutUint32(hdr[8:], recordSize)
		binary.LittleEndian.PutUint32(hdr[12:], RecentSlots)
		if _, err := h.f.WriteAt(hdr[:], 0); err != nil {
			return err
		}
		return h.f.Truncate(FileSize)
	}
	if st.Size() != FileSize {
		return fmt.Errorf("not a history file of this version (%d bytes, want %d)", st.Size(), FileSize)
	}
	buf := make([]byte, headerSize+RecentSlots*recordSize)
	if _, err := io.ReadFull(io.NewSectionReader(h.f, 0, int64(len(buf))), buf); err != nil {
		return err
	}
	if [8]byte(buf[:8]) != magic || binary.LittleEndian.Uint32(buf[8:]) != recordSize || binary.LittleEndian.Uint32(buf[12:]) != RecentSlots {
		return errors.New("not a history file of this version (header)")
	}
	for i := range h.recent {
		if smp, ok := decode(buf[headerSize+i*recordSize:]); ok && slot(smp.Time, RecentStep, RecentSlots) == i {
			h.recent[i] = smp
		}
	}
	return nil
}

func slot(t time.Time, step time.Duration, n int) int {
	return int((t.Unix() / int64(step/time.Second)) % int64(n))
}

func encode(b []byte, s Sample) {
	binary.LittleEndian.PutUint64(b, uint64(s.Time.Unix()))
	for i, v := range s.Values {
		binary.LittleEndian.PutUint32(b[8+4*i:], math.Float32bits(v))
	}
	binary.LittleEndian.PutUint32(b[32:], s.Flags)
	binary.LittleEndian.PutUint32(b[36:], crc32.ChecksumIEEE(b[:36]))
}

// decode reads a record; false for an empty, torn or foreign slot.
func decode(b []byte) (Sample, bool) {
	if len(b) < recordSize || binary.LittleEndian.Uint32(b[36:]) != crc32.ChecksumIEEE(b[:36]) {
		return Sample{}, false
	}
	t := int64(binary.LittleEndian.Uint64(b))
	if t <= 0 || t > 1<<40 {
		return Sample{}, false
	}
	s := Sample{Time: time.Unix(t, 0).UTC(), Flags: binary.LittleEndian.Uint32(b[32:])}
	for i := range s.Values {
		s.Values[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[8+4*i:]))
	}
	return s, true
}

func (h *history) add(s Sample) error {
	s.Time = s.Time.Truncate(RecentStep).UTC()
	h.mu.Lock()
	defer h.mu.Unlock()
	var b [recordSize]byte
	i := slot(s.Time, RecentStep, RecentSlots)
	encode(b[:], s)
	if _, err := h.f.WriteAt(b[:], int64(headerSize+i*recordSize)); err != nil {
		return err
	}
	h.recent[i] = s
	// The past ring's record for this window, rewritten as it fills: the
	// average of the recent samples in it, with every status seen.
	win := s.Time.Truncate(PastStep)
	p := Sample{Time: win}
	var sum [6]float64
	var n [6]int
	for t := win; t.Before(win.Add(PastStep)); t = t.Add(RecentStep) {
		r := h.recent[slot(t, RecentStep, RecentSlots)]
		if !r.Time.Equal(t) {
			continue
		}
		p.Flags |= r.Flags
		for k, v := range r.Values {
			if !math.IsNaN(float64(v)) {
				sum[k] += float64(v)
				n[k]++
			}
		}
	}
	for k := range p.Values {
		p.Values[k] = float32(math.NaN())
		if n[k] > 0 {
			p.Values[k] = float32(sum[k] / float64(n[k]))
		}
	}
	encode(b[:], p)
	_, err := h.f.WriteAt(b[:], int64(headerSize+(RecentSlots+slot(win, PastStep, PastSlots))*recordSize))
	return err
}

func (h *history) rangeOf(from, to time.Time) ([]Sample, time.Duration, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Sample
	if !from.Before(time.Now().Add(-RecentSlots * RecentStep)) {
		for t := from.Truncate(RecentStep); !t.After(to); t = t.Add(RecentStep) {
			if r := h.recent[slot(t, RecentStep, RecentSlots)]; r.Time.Equal(t.UTC()) {
				out = append(out, r)
			}
		}
		return out, RecentStep, nil
	}
	from = from.Truncate(PastStep)
	if to.Sub(from) > PastSlots*PastStep {
		from = to.Add(-PastSlots * PastStep).Truncate(PastStep)
	}
	n := int(to.Sub(from)/PastStep) + 1
	// One read of the slots in the window (it may wrap the ring).
	first := slot(from, PastStep, PastSlots)
	buf := make([]byte, n*recordSize)
	for read := 0; read < n; {
		s := (first + read) % PastSlots
		k := min(n-read, PastSlots-s)
		if _, err := h.f.ReadAt(buf[read*recordSize:(read+k)*recordSize], int64(headerSize+(RecentSlots+s)*recordSize)); err != nil {
			return nil, 0, err
		}
		read += k
	}
	for i := 0; i < n; i++ {
		t := from.Add(time.Duration(i) * PastStep).UTC()
		if r, ok := decode(buf[i*recordSize:]); ok && r.Time.Equal(t) {
			out = append(out, r)
		}
	}
	return out, PastStep, nil
}
