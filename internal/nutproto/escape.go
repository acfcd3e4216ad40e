package nutproto

import "strings"

// Escape puts a backslash before each '"', '\' and '#', NUT's pconf_encode:
// the only escaping a value needs inside a quoted word.
func Escape(s string) string {
	if !strings.ContainsAny(s, "\"\\#") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c == '#' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// AppendEscaped is Escape writing into a byte slice, for building replies
// without allocating.
func AppendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c == '#' {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return dst
}

// Quote returns s escaped and in double quotes.
func Quote(s string) string { return `"` + Escape(s) + `"` }
