package testrig

import (
	"context"
	"errors"
	"sync"
)

// Power stands in for logind's PowerOff in monitor tests: it counts the
// calls and refuses the first Refuse of them, as polkit does while no
// rule grants the caller.
type Power struct {
	Refuse int

	mu    sync.Mutex
	calls int
}

// PowerOff records the call.
func (p *Power) PowerOff(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.calls <= p.Refuse {
		return errors.New("interactive authentication required")
	}
	return nil
}

// Calls is how many times PowerOff was called, refused ones included.
func (p *Power) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}
