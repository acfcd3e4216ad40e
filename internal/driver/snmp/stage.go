package snmp

import "github.com/sysnut/sysnut/internal/driver"

// stage collects what a walk or a SET publishes, so that the agent is
// asked with the driver's state unlocked: a request that times out must
// not hold up upsd's reads of the driver socket. What the engine itself
// set during the walk reads back from the stage, anything else from the
// published state.
type stage struct {
	s       *driver.State
	pending map[string]*string // nil: deleted
	ops     []func(adapter)
}

func newStage(s *driver.State) *stage { return &stage{s: s, pending: map[string]*string{}} }

func (g *stage) Set(name, value string) {
	g.pending[name] = &value
	g.ops = append(g.ops, func(a adapter) { a.Set(name, value) })
}

func (g *stage) Get(name string) (string, bool) {
	if p, ok := g.pending[name]; ok {
		if p == nil {
			return "", false
		}
		return *p, true
	}
	if g.s == nil { // a stage that is never published (killpower)
		return "", false
	}
	return g.s.Get(name)
}

func (g *stage) Delete(name string) {
	g.pending[name] = nil
	g.ops = append(g.ops, func(a adapter) { a.Delete(name) })
}

func (g *stage) SetType(name string, rw, str bool, aux int) {
	g.ops = append(g.ops, func(a adapter) { a.SetType(name, rw, str, aux) })
}

func (g *stage) AddEnum(name, value string) {
	g.ops = append(g.ops, func(a adapter) { a.AddEnum(name, value) })
}

func (g *stage) AddCmd(name string) {
	g.ops = append(g.ops, func(a adapter) { a.AddCmd(name) })
}

// publish applies what was collected, in order, in one update.
func (g *stage) publish() {
	if len(g.ops) == 0 {
		return
	}
	g.s.Update(func(v *driver.Vars) {
		a := newAdapter(v)
		for _, op := range g.ops {
			op(a)
		}
	})
}
