package upsd

import "syscall"

// errTooManyFiles is what accept returns when the descriptor limit is hit.
var errTooManyFiles = syscall.EMFILE
