package upsd

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sysnut/sysnut/internal/driversock"
)

// tracking remembers the outcome of SET and INSTCMD requests sent with
// TRACKING ON, until they expire after TRACKINGDELAY.
type tracking struct {
	mu      sync.Mutex
	entries map[string]trackEntry
	// order holds ids oldest first: entries share one ttl, so they expire
	// in the order they came, and expiring is a pop from the front, not a
	// scan of every entry on every request.
	order []string
	ttl   time.Duration
	now   func() time.Time
}

// maxTracking bounds the ids remembered: beyond it the oldest is dropped,
// so a client flooding tracked commands cannot grow upsd without limit.
const maxTracking = 1 << 16

type trackEntry struct {
	status  int // -1 while pending
	created time.Time
}

func newTracking(ttl time.Duration, now func() time.Time) *tracking {
	return &tracking{entries: map[string]trackEntry{}, ttl: ttl, now: now}
}

// add registers a new pending request and returns its id: an upper-case
// UUIDv4, the only form NUT's upscmd -w and upsrw -w accept.
func (t *tracking) add() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	id := strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire()
	for len(t.entries) >= maxTracking {
		t.pop()
	}
	t.entries[id] = trackEntry{status: -1, created: t.now()}
	t.order = append(t.order, id)
	return id
}

// set records the driver's answer for id.
func (t *tracking) set(id string, status int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id = strings.ToUpper(id)
	if e, ok := t.entries[id]; ok {
		e.status = status
		t.entries[id] = e
	}
}

// remove forgets an id whose request never reached the driver.
func (t *tracking) remove(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, id)
}

// get answers GET TRACKING <id>.
func (t *tracking) get(id string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire()
	e, ok := t.entries[strings.ToUpper(id)]
	if !ok {
		return "ERR UNKNOWN"
	}
	switch e.status {
	case -1:
		return "PENDING"
	case driversock.StatusHandled:
		return "SUCCESS"
	case driversock.StatusUnknown:
		return "ERR UNKNOWN"
	case driversock.StatusInvalid, driversock.StatusConversionFailed:
		return "ERR INVALID-ARGUMENT"
	default:
		return "ERR FAILED"
	}
}

// expire drops entries older than the ttl; t.mu is held.
func (t *tracking) expire() {
	cut := t.now().Add(-t.ttl)
	for len(t.order) > 0 {
		e, ok := t.entries[t.order[0]]
		if ok && !e.created.Before(cut) {
			return
		}
		t.pop()
	}
}

// pop forgets the oldest id (which remove may have forgotten already).
func (t *tracking) pop() {
	delete(t.entries, t.order[0])
	t.order[0] = ""
	t.order = t.order[1:]
	if len(t.order) == 0 {
		t.order = nil // let the backing array go
	}
}
