package nutproto_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sysnut/sysnut/internal/nutproto"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		err  error
	}{
		{"GET VAR ups ups.status", []string{"GET", "VAR", "ups", "ups.status"}, nil},
		{"GET VAR u v\r\n", []string{"GET", "VAR", "u", "v"}, nil},
		{"  spaced \t out  ", []string{"spaced", "out"}, nil},
		{`SET VAR u v "a b"`, []string{"SET", "VAR", "u", "v", "a b"}, nil},
		{`"esc \" \\ \#"`, []string{`esc " \ #`}, nil},
		{`"a"b`, []string{"a", "b"}, nil},
		{`a"b"`, []string{`a"b"`}, nil},
		{`""`, []string{""}, nil},
		{`a=b`, []string{"a", "=", "b"}, nil},
		{`a = b`, []string{"a", "=", "b"}, nil},
		{`=x`, []string{"=", "x"}, nil},
		{`a\ b`, []string{"a b"}, nil},
		{`a\#b`, []string{"a#b"}, nil},
		{"a # comment", []string{"a"}, nil},
		{"a#glued", []string{"a"}, nil},
		{"# only", nil, nil},
		{"", nil, nil},
		{"te\x01st\x7f", []string{"test\x7f"}, nil},
		{"t\xc3\xa9st", []string{"tst"}, nil},
		{"x \"tab\there\"", []string{"x", "tabhere"}, nil},
		{`"a # b"`, nil, nutproto.ErrHashInQuotes},
	}
	for _, tt := range tests {
		got, err := nutproto.Split(tt.in)
		if !errors.Is(err, tt.err) {
			t.Errorf("Split(%q) error = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitUnterminated(t *testing.T) {
	t.Parallel()
	if _, err := nutproto.Split(`GET "open`); err == nil {
		t.Fatal("want an error for an unterminated quote")
	}
}

// feed runs a byte stream through one lexer and records lines and errors.
func feed(l *nutproto.Lexer, s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		switch l.Feed(s[i]) {
		case nutproto.Line:
			out = append(out, strings.Join(l.Words(), "|"))
		case nutproto.Failed:
			out = append(out, "ERR:"+l.Err().Error())
		}
	}
	return out
}

func TestLexerStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"two lines", "A B\nC\n", []string{"A|B", "C"}},
		{"blank line is an empty line", "\n", []string{""}},
		{"quote spans newline", "A \"b\nc\" d\n", []string{"A|bc|d"}},
		{"continuation", "A \\\nB\n", []string{"A|B"}},
		{"error then fresh line", "\"a#b\"\nOK\n", []string{"ERR:unbalanced word due to unescaped # in quotes", "b\"", "OK"}},
		// A repeated line reuses the previous line's string; the words
		// must still come from this line's own boundaries.
		{"same characters, other words", "GET VAR\nGETVAR\nGE TVAR\nGET VAR\n", []string{"GET|VAR", "GETVAR", "GE|TVAR", "GET|VAR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l nutproto.Lexer
			if got := feed(&l, tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// A monitor repeats its requests: the lexer must not allocate for a line
// that repeats the previous one (upsd's loop serves GET VAR allocating
// nothing).
func TestLexerRepeatAllocatesNothing(t *testing.T) {
	l := nutproto.NewLexer(nutproto.NetLimits)
	line := []byte("GET VAR ups ups.status\n")
	feedLine := func() {
		for _, c := range line {
			l.Feed(c)
		}
	}
	feedLine()
	if n := testing.AllocsPerRun(100, feedLine); n != 0 {
		t.Errorf("a repeated line allocates %v times", n)
	}
	if got := strings.Join(l.Words(), "|"); got != "GET|VAR|ups|ups.status" {
		t.Errorf("words %q", got)
	}
	feedBytes := func() {
		if n, r := l.FeedBytes(line); n != len(line) || r != nutproto.Line {
			t.Fatalf("FeedBytes took %d bytes, %v", n, r)
		}
	}
	if n := testing.AllocsPerRun(100, feedBytes); n != 0 {
		t.Errorf("a repeated line fed at once allocates %v times", n)
	}
}

func TestLexerLimits(t *testing.T) {
	t.Parallel()
	l := nutproto.Lexer{MaxWords: 3, MaxWordLen: 4}
	got := feed(&l, "abcdefgh b c d e\n")
	if want := []string{"abcd|b|c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "hash#", `all "\#`} {
		got, err := nutproto.Split(nutproto.Quote(s))
		if err != nil || len(got) != 1 || got[0] != s {
			t.Errorf("Split(Quote(%q)) = %q, %v", s, got, err)
		}
		if string(nutproto.AppendEscaped(nil, s)) != nutproto.Escape(s) {
			t.Errorf("AppendEscaped and Escape disagree on %q", s)
		}
	}
}

func TestParseErr(t *testing.T) {
	t.Parallel()
	e, ok := nutproto.ParseErr("ERR DATA-STALE")
	if !ok || e.Code != nutproto.ErrDataStale || e.Error() != "Data stale" {
		t.Fatalf("ParseErr = %+v, %v", e, ok)
	}
	if _, ok := nutproto.ParseErr("VAR u v \"ERR\""); ok {
		t.Fatal("a VAR line is not an error")
	}
	if e, _ := nutproto.ParseErr("ERR SOMETHING-NEW extra"); e.Error() != "Unknown error" || e.Extra != "extra" {
		t.Fatalf("unknown code: %+v", e)
	}
}

// FuzzLexer checks that any byte stream is safe, that words never hold
// dropped bytes, and that quoting round-trips every word.
func FuzzLexer(f *testing.F) {
	for _, s := range []string{"GET VAR u v\n", "\"a#\n", "a\\\nb\n", "\"x\ny\"\n", "a=b\n", "\x00\xff\"\\"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := nutproto.Lexer{MaxWords: 32, MaxWordLen: 512}
		for _, b := range data {
			if l.Feed(b) != nutproto.Line {
				continue
			}
			w := l.Words()
			if len(w) > 32 {
				t.Fatalf("%d words", len(w))
			}
			for _, word := range w {
				if len(word) > 512 {
					t.Fatalf("word of %d bytes", len(word))
				}
				for i := 0; i < len(word); i++ {
					if word[i] < 0x20 || word[i] >= 0x80 {
						t.Fatalf("word %q holds byte %#x", word, word[i])
					}
				}
				got, err := nutproto.Split(nutproto.Quote(word))
				if err != nil || len(got) != 1 || got[0] != word {
					t.Fatalf("quote round trip of %q: %q %v", word, got, err)
				}
			}
		}
	})
}

func TestAtoi(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"12": 12, " -7": -7, "+3x": 3, "12abc": 12, "abc": 0, "": 0, "\t\n42": 42, "-": 0} {
		if got := nutproto.Atoi(in); got != want {
			t.Errorf("Atoi(%q) = %d, want %d", in, got, want)
		}
	}
}

// lines feeds in through a lexer bounded by lim and returns each line's
// words joined by '|', with a trailing '!' when the line was truncated.
func lines(lim nutproto.Limits, in string) []string {
	lx := nutproto.NewLexer(lim)
	var out []string
	for i := 0; i < len(in); i++ {
		if lx.Feed(in[i]) == nutproto.Line {
			l := strings.Join(lx.Words(), "|")
			if lx.Truncated() {
				l += "!"
			}
			out = append(out, l)
		}
	}
	return out
}

// TestLimits: words and their lengths are capped as NUT caps them, and a
// line ends at MaxLineLen with the rest dropped up to the next newline,
// even inside an unterminated quote.
func TestLimits(t *testing.T) {
	t.Parallel()
	lim := nutproto.Limits{MaxWords: 3, MaxWordLen: 4, MaxLineLen: 20}
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"a b c\n", []string{"a|b|c"}},
		{"a b c d e\nok\n", []string{"a|b|c!", "ok"}},
		{"abcdefgh x\n", []string{"abcd|x!"}},
		{"a \"" + strings.Repeat("qqqqqqqqq\n", 3) + "next\n", []string{"a|qqqq!", "qqqq!", "next"}},
		{strings.Repeat("w ", 40) + "\nnext\n", []string{"w|w|w!", "next"}},
		{strings.Repeat("x", 19) + "\n", []string{"xxxx!"}},
		{"SET \"" + strings.Repeat("v", 100), []string{"SET|vvvv!"}},
	} {
		if got := lines(lim, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%.40q: %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := lines(nutproto.NetLimits, "GET VAR ups \""+strings.Repeat("v", 600)+"\"\n"); got[0] != "GET|VAR|ups|"+strings.Repeat("v", 512)+"!" {
		t.Errorf("NetLimits: a 600-character word kept as %d characters", len(got[0]))
	}
}

// FuzzFeedBytes checks FeedBytes against Feed fed byte by byte: the same
// lines, words, truncations and errors, and the same partial line left
// over, whatever the limits and however the stream is cut into reads.
func FuzzFeedBytes(f *testing.F) {
	for _, s := range []string{
		"GET VAR ups ups.status\nGET VAR ups ups.status\n",
		"abcdefgh b c d e\nLIST VAR ups\n",
		"a\"b\"c=d#e\\f g\n\"q w\" x\\ y\n",
		"wordwordwordwordwordwordword\x00\x7f\xffword\n\n",
		"\"unterminated\nmore\"\n# comment\nlast",
	} {
		f.Add([]byte(s), uint8(3), uint8(4), uint8(20), uint8(7))
		f.Add([]byte(s), uint8(0), uint8(0), uint8(0), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxWords, maxWordLen, maxLineLen, cut uint8) {
		limits := nutproto.Lexer{MaxWords: int(maxWords % 8), MaxWordLen: int(maxWordLen % 16), MaxLineLen: int(maxLineLen % 64)}
		event := func(l *nutproto.Lexer, r nutproto.Result) string {
			return fmt.Sprintf("%d %q truncated=%v err=%v", r, l.Words(), l.Truncated(), l.Err())
		}
		bytewise, bulk := limits, limits
		var want, got []string
		for _, b := range data {
			if r := bytewise.Feed(b); r != nutproto.More {
				want = append(want, event(&bytewise, r))
			}
		}
		step := int(cut%16) + 1
		for rest := data; len(rest) > 0; {
			read := rest[:min(step, len(rest))]
			rest = rest[len(read):]
			for len(read) > 0 {
				n, r := bulk.FeedBytes(read)
				if n <= 0 || n > len(read) {
					t.Fatalf("FeedBytes took %d of %d bytes", n, len(read))
				}
				read = read[n:]
				if r != nutproto.More {
					got = append(got, event(&bulk, r))
				} else if len(read) > 0 {
					t.Fatalf("FeedBytes stopped with More and %d bytes left", len(read))
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("FeedBytes:\n%q\nFeed:\n%q", got, want)
		}
		if bulk.Pending() != bytewise.Pending() {
			t.Fatalf("pending after the stream: FeedBytes %v, Feed %v", bulk.Pending(), bytewise.Pending())
		}
	})
}
