package driversock

import "github.com/sysnut/sysnut/internal/state"

// ApplyForTest exposes apply to the external tests.
func ApplyForTest(t *state.Tree, w []string) bool {
	ok, _ := apply(t, w, DefaultLimits)
	return ok
}

// ApplyLimited exposes apply with limits.
func ApplyLimited(t *state.Tree, w []string, lim Limits) (bool, error) { return apply(t, w, lim) }
