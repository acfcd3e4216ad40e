package driversock

import "github.com/sysnut/sysnut/internal/state"

// ApplyForTest exposes apply to the external tests.
func ApplyForTest(t *state.Tree, w []string) bool { return apply(t, w) }
