// Package nutproto implements the wire format shared by the NUT network
// protocol, the driver socket protocol and NUT's configuration files: the
// lexer that splits lines into words, the escaping of values in replies, and
// the ERR codes upsd sends.
package nutproto

import "errors"

// ErrHashInQuotes is the one parse error NUT's lexer knows: an unescaped '#'
// inside a quoted word.
var ErrHashInQuotes = errors.New("unbalanced word due to unescaped # in quotes")

// Limits bound what a Lexer keeps of a line. Every read loop on a socket or
// a device uses one (NetLimits, or tighter), so that no peer can make it
// hold more than a few tens of kilobytes.
type Limits struct {
	MaxWords   int // words beyond this are dropped (0: no limit)
	MaxWordLen int // characters beyond this are dropped from a word (0: no limit)
	MaxLineLen int // bytes after which the line ends (0: no limit)
}

// NetLimits are NUT's parseconf defaults (PCONF_DEFAULT_ARG_LIMIT 32,
// PCONF_DEFAULT_WORDLEN_LIMIT 512), which NUT's upsd applies to clients and
// drivers alike, plus a line bound NUT lacks: room for 32 fully escaped
// words of 512 characters.
var NetLimits = Limits{MaxWords: 32, MaxWordLen: 512, MaxLineLen: 64 << 10}

// NewLexer returns a lexer bounded by lim.
func NewLexer(lim Limits) Lexer {
	return Lexer{MaxWords: lim.MaxWords, MaxWordLen: lim.MaxWordLen, MaxLineLen: lim.MaxLineLen}
}

// Result tells the caller of Lexer.Feed what the byte completed.
type Result int

// Results of Lexer.Feed.
const (
	More   Result = iota // the line is not complete yet
	Line                 // a line ended; its words are in Lexer.Words
	Failed               // a parse error; Lexer.Err says which
)

type lexState int

const (
	findWordStart lexState = iota
	findEOL
	discardLine
	quoteCollect
	quoteLiteral
	collect
	collectLiteral
)

// Lexer is NUT's parseconf state machine, fed one byte at a time so that a
// network reader can stop mid-line and resume with the next packet (an
// unterminated quote waits across newlines for its closing quote).
//
// The zero value has no limits, as config files (bounded by their size)
// need; protocol read loops use NewLexer(NetLimits).
type Lexer struct {
	MaxWords   int // words beyond this are dropped (0: no limit)
	MaxWordLen int // characters beyond this are dropped from a word (0: no limit)
	// MaxLineLen ends a line that grows past it (0: no limit): the line is
	// returned as far as it got, marked Truncated, and the rest of it up
	// to the next newline is dropped, even inside quotes, so that an
	// unterminated quote cannot swallow the stream for good.
	MaxLineLen int

	state     lexState
	buf       []byte   // the line's words, one after the other
	ends      []int    // where each complete word ends in buf
	start     int      // where the current word starts in buf
	words     []string // the line's words, made at its end from one string of buf
	last      string   // the previous line's string, reused when a line repeats
	n         int      // bytes of the current line so far
	truncated bool     // the current line lost words or characters to the limits
	done      bool     // the previous Feed ended a line or failed: start afresh
	skipRest  bool     // the line ended at MaxLineLen: drop up to the newline
	err       error
}

// Feed advances the lexer by one byte.
func (l *Lexer) Feed(c byte) Result {
	if l.done {
		l.words = l.words[:0]
		l.buf, l.ends, l.start = l.buf[:0], l.ends[:0], 0
		l.state = findWordStart
		l.err = nil
		l.n = 0
		l.truncated = false
		l.done = false
		if l.skipRest {
			l.skipRest = false
			l.state = discardLine
		}
	}
	if l.state == discardLine {
		if c == '\n' {
			l.done = true
		}
		return More
	}
	if l.n++; l.MaxLineLen > 0 && l.n > l.MaxLineLen && c != '\n' {
		if l.state == collect || l.state == collectLiteral || l.state == quoteCollect || l.state == quoteLiteral {
			l.endWord()
		}
		l.truncated = true
		l.skipRest = true
		return l.endLine()
	}
	switch l.state {
	case findWordStart:
		switch {
		case c == '\n':
			return l.endLine()
		case isSpace(c):
		case c == '\\':
			l.state = collectLiteral
		case c == '"':
			l.state = quoteCollect
		case c == '#':
			l.state = findEOL
		case c == '=':
			l.addChar(c)
			l.endWord()
		default:
			l.addChar(c)
			l.state = collect
		}
	case findEOL:
		if c == '\n' {
			return l.endLine()
		}
	case quoteCollect:
		switch c {
		case '#':
			l.done = true
			l.err = ErrHashInQuotes
			return Failed
		case '\\':
			l.state = quoteLiteral
		case '"':
			l.endWord()
			l.state = findWordStart
		default:
			l.addChar(c)
		}
	case quoteLiteral:
		l.addChar(c)
		l.state = quoteCollect
	case collect:
		switch {
		case c == '#':
			l.endWord()
			l.state = findEOL
		case c == '\n':
			l.endWord()
			return l.endLine()
		case isSpace(c):
			l.endWord()
			l.state = findWordStart
		case c == '\\':
			l.state = collectLiteral
		case c == '=':
			l.endWord()
			l.addChar(c)
			l.endWord()
			l.state = findWordStart
		default:
			l.addChar(c)
		}
	case collectLiteral:
		l.addChar(c)
		l.state = collect
	}
	return More
}

// FeedBytes is Feed over p, up to the first line it completes or fails:
// it returns how many bytes it took and what the last of them did (More
// when p ran out first). The bytes that only lengthen a word, most of a
// request line's, are copied in one go rather than fed a call each.
func (l *Lexer) FeedBytes(p []byte) (int, Result) {
	for i := 0; i < len(p); i++ {
		if l.state == collect && !l.done {
			i += l.collectRun(p[i:])
			if i == len(p) {
				break
			}
		}
		if r := l.Feed(p[i]); r != More {
			return i + 1, r
		}
	}
	return len(p), More
}

// collectRun takes the word bytes at the start of p, as many as Feed
// would take without anything else happening (no end of word, no end of
// line at MaxLineLen), and returns how many: those that fit MaxWordLen
// lengthen the current word, the rest are dropped as Feed drops them.
func (l *Lexer) collectRun(p []byte) int {
	limit := len(p)
	if l.MaxLineLen > 0 {
		limit = min(limit, max(l.MaxLineLen-l.n, 0))
	}
	n := 0
	for n < limit && wordByte(p[n]) {
		n++
	}
	keep := n
	if l.MaxWordLen > 0 {
		keep = min(n, max(l.MaxWordLen-(len(l.buf)-l.start), 0))
	}
	if keep < n {
		l.truncated = true
	}
	l.buf = append(l.buf, p[:keep]...)
	l.n += n
	return n
}

// wordByte reports whether c only lengthens a word being collected: not a
// space, a control or non-ASCII byte (dropped), nor '#', '\\' or '='.
func wordByte(c byte) bool {
	return c > ' ' && c < 0x80 && c != '#' && c != '\\' && c != '='
}

// Words returns the words of the line that Feed just completed. The slice is
// reused by the next Feed.
func (l *Lexer) Words() []string { return l.words }

// Truncated reports whether the line that Feed just completed (or failed)
// lost words or characters to the limits.
func (l *Lexer) Truncated() bool { return l.truncated }

// Err returns the parse error that Feed just reported.
func (l *Lexer) Err() error { return l.err }

// Pending reports whether the lexer holds part of an unfinished line.
func (l *Lexer) Pending() bool {
	return !l.done && (l.state != findWordStart || len(l.buf) > 0 || len(l.ends) > 0)
}

// Reset forgets any partial line.
func (l *Lexer) Reset() { l.done = true }

// endLine makes the line's words: one allocation for the line, however
// many words it has, since every request line is lexed here; none when
// the line repeats the one before it, as a monitor's polls do.
func (l *Lexer) endLine() Result {
	l.done = true
	line := l.last
	if string(l.buf) != line {
		line = string(l.buf)
		l.last = line
	}
	from := 0
	for _, end := range l.ends {
		l.words = append(l.words, line[from:end])
		from = end
	}
	return Line
}

// addChar drops control characters and non-ASCII bytes, as NUT does since
// CVE-2012-2944. NUT compares a signed char with 32, so DEL (0x7f) is kept
// while every byte >= 0x80 is dropped [seen on NUT 2.8.0].
func (l *Lexer) addChar(c byte) {
	if c < 0x20 || c >= 0x80 {
		return
	}
	if l.MaxWordLen > 0 && len(l.buf)-l.start >= l.MaxWordLen {
		l.truncated = true
		return
	}
	l.buf = append(l.buf, c)
}

func (l *Lexer) endWord() {
	if l.MaxWords == 0 || len(l.ends) < l.MaxWords {
		l.ends = append(l.ends, len(l.buf))
	} else {
		l.truncated = true
		l.buf = l.buf[:l.start]
	}
	l.start = len(l.buf)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// Split lexes one complete line (a trailing newline is optional) and returns
// its words, or the parse error.
func Split(line string) ([]string, error) {
	var l Lexer
	for i := 0; i < len(line); i++ {
		switch l.Feed(line[i]) {
		case Line:
			return append([]string(nil), l.words...), nil
		case Failed:
			return nil, l.err
		}
	}
	if l.Feed('\n') == Line {
		return append([]string(nil), l.words...), nil
	}
	return nil, errors.New("unterminated quoted word")
}
