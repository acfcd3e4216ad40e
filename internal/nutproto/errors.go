package nutproto

import "strings"

// Code is an ERR code of the network protocol, as upsd sends it after "ERR ".
type Code string

// The ERR codes upsd sends (NUT's neterr.h).
const (
	ErrAccessDenied         Code = "ACCESS-DENIED"
	ErrUnknownUPS           Code = "UNKNOWN-UPS"
	ErrVarNotSupported      Code = "VAR-NOT-SUPPORTED"
	ErrCmdNotSupported      Code = "CMD-NOT-SUPPORTED"
	ErrInvalidArgument      Code = "INVALID-ARGUMENT"
	ErrInstcmdFailed        Code = "INSTCMD-FAILED"
	ErrSetFailed            Code = "SET-FAILED"
	ErrReadonly             Code = "READONLY"
	ErrTooLong              Code = "TOO-LONG"
	ErrFeatureNotSupported  Code = "FEATURE-NOT-SUPPORTED"
	ErrFeatureNotConfigured Code = "FEATURE-NOT-CONFIGURED"
	ErrAlreadySSLMode       Code = "ALREADY-SSL-MODE"
	ErrDriverNotConnected   Code = "DRIVER-NOT-CONNECTED"
	ErrDataStale            Code = "DATA-STALE"
	ErrAlreadyLoggedIn      Code = "ALREADY-LOGGED-IN"
	ErrAlreadySetPassword   Code = "ALREADY-SET-PASSWORD"
	ErrAlreadySetUsername   Code = "ALREADY-SET-USERNAME"
	ErrUsernameRequired     Code = "USERNAME-REQUIRED"
	ErrPasswordRequired     Code = "PASSWORD-REQUIRED"
	ErrUnknownCommand       Code = "UNKNOWN-COMMAND"
	ErrInvalidValue         Code = "INVALID-VALUE"
)

// Error is an "ERR <code>" reply received from a server.
type Error struct {
	Code Code
	// Extra holds any words after the code, which NUT allows but never sends.
	Extra string
}

func (e *Error) Error() string {
	if msg, ok := clientMessages[e.Code]; ok {
		return msg
	}
	return "Unknown error"
}

// ParseErr recognises an "ERR ..." reply line (without its newline).
func ParseErr(line string) (*Error, bool) {
	rest, ok := strings.CutPrefix(line, "ERR ")
	if !ok {
		if line == "ERR" {
			return &Error{}, true
		}
		return nil, false
	}
	code, extra, _ := strings.Cut(rest, " ")
	return &Error{Code: Code(code), Extra: extra}, true
}

// clientMessages are libupsclient's texts for ERR codes (upscli_strerror),
// which NUT's clients print after "Error: " and scripts match on.
var clientMessages = map[Code]string{
	ErrVarNotSupported:    "Variable not supported by UPS",
	ErrUnknownUPS:         "Unknown UPS",
	ErrAccessDenied:       "Access denied",
	ErrPasswordRequired:   "Password required",
	"PASSWORD-INCORRECT":  "Password incorrect",
	"MISSING-ARGUMENT":    "Missing argument",
	ErrDataStale:          "Data stale",
	"VAR-UNKNOWN":         "Variable unknown",
	ErrAlreadyLoggedIn:    "Already logged in",
	ErrAlreadySetPassword: "Already set password",
	"UNKNOWN-TYPE":        "Unknown variable type",
	"UNKNOWN-VAR":         "Unknown variable",
	ErrReadonly:           "Read-only variable",
	ErrTooLong:            "New value is too long",
	ErrInvalidValue:       "Invalid value for variable",
	ErrSetFailed:          "Set command failed",
	"UNKNOWN-INSTCMD":     "Unknown instant command",
	ErrInstcmdFailed:      "Instant command failed",
	ErrCmdNotSupported:    "Instant command not supported",
	"INVALID-USERNAME":    "Invalid username",
	ErrAlreadySetUsername: "Already set username",
	ErrUnknownCommand:     "Unknown command",
	"INVALID-PASSWORD":    "Invalid password",
	ErrUsernameRequired:   "Username required",
	ErrDriverNotConnected: "Driver not connected",
	ErrInvalidArgument:    "Invalid argument",
}
