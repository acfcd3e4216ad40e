package interop

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// protocolCases are request scripts; each inner slice is one TCP write, so
// that chunk-dependent behaviour (a parse error drops the rest of a read)
// is compared too.
var protocolCases = []struct {
	name   string
	chunks []string
}{
	{"versions", []string{"NETVER\nPROTVER\nHELP\nVER\n"}},
	{"exact argument counts", []string{"HELP x\nVER x\nNETVER x\nPROTVER x\nLOGOUT x\nUSERNAME\nUSERNAME a b\nPASSWORD\n"}},
	{"empty and unknown lines", []string{"\n", "   \t \n", "# comment only\n", "\x01\n", "FOO\n", "foo bar baz\n"}},
	{"GET argument errors", []string{"GET\nGET VAR\nGET VAR test\nGET FOO test\nGET FOO a b c\nGET TYPE test\n"}},
	{"GET VAR", []string{"GET VAR test ups.status\nGET VAR test ups.model\nGET VAR test ups.serial\nGET VAR test battery.charge extra words\n"}},
	{"case of names", []string{"get var TEST UPS.STATUS\r\n", "GeT VaR test ups.beeper.status\n", "LIST var Test\n"}},
	{"GET VAR errors", []string{"GET VAR nosuch ups.status\nGET VAR test nosuch.var\nGET VAR test\n"}},
	{"server variables", []string{"GET VAR nosuch server.info\nGET VAR test server.version\nGET VAR test SERVER.VERSION\n"}},
	{"GET TYPE", []string{"GET TYPE test ups.mfr\nGET TYPE test battery.charge\nGET TYPE test device.mfr\nGET TYPE test nosuch\nGET TYPE nosuch x\n"}},
	{"GET DESC and CMDDESC", []string{"GET DESC test ups.status\nGET DESC test nosuch.var\nGET DESC nosuch ups.status\nGET CMDDESC test load.off\nGET CMDDESC test nosuch.cmd\nGET CMDDESC nosuch load.off\n"}},
	{"GET UPSDESC", []string{"GET UPSDESC test\nGET UPSDESC fsdtest\nGET UPSDESC nosuch\nGET UPSDESC down\n"}},
	{"GET NUMLOGINS", []string{"GET NUMLOGINS test\nGET NUMLOGINS nosuch\nGET NUMLOGINS down\n"}},
	{"LIST UPS", []string{"LIST UPS\nlist ups\n"}},
	{"LIST VAR", []string{"LIST VAR test\n"}},
	{"LIST RW and CMD", []string{"LIST RW test\nLIST CMD test\nLIST CLIENT test\n"}},
	{"LIST ENUM and RANGE", []string{"LIST ENUM test ups.mfr\nLIST RANGE test ups.mfr\nLIST ENUM test nosuch\nLIST RANGE nosuch x\n"}},
	{"LIST errors", []string{"LIST\nLIST VAR\nLIST ENUM test\nLIST FOO test\nLIST FOO a b\nLIST VAR nosuch\nLIST CMD nosuch\nLIST CLIENT nosuch\n"}},
	{"driver not connected", []string{"GET VAR down ups.status\nGET TYPE down ups.status\nLIST VAR down\nLIST RW down\nLIST CMD down\nLIST ENUM down x\nGET DESC down ups.status\nLIST CLIENT down\n"}},
	{"tracking off", []string{"GET TRACKING\nGET TRACKING abc\nSET TRACKING ON\n"}},
	{"user required", []string{"LOGIN test\nPRIMARY test\nMASTER test\nFSD test\nSET VAR test ups.mfr x\nINSTCMD test load.off\nSET TRACKING ON\n"}},
	{"password required", []string{"USERNAME a\nLOGIN test\nINSTCMD nosuch x\nSET\n"}},
	{"username and password twice", []string{"USERNAME a\nUSERNAME b\nPASSWORD a\nPASSWORD b\n"}},
	{"primary session", []string{"USERNAME mon\nPASSWORD pass\nLOGIN test\nLOGIN test\nGET NUMLOGINS test\nLIST CLIENT test\nPRIMARY test\nMASTER test\nPRIMARY nosuch\nPRIMARY\nLOGIN\n"}},
	{"secondary session", []string{"USERNAME sec\nPASSWORD \"p a s s\"\nLOGIN test\nPRIMARY test\nFSD fsdtest\nSET VAR test ups.mfr x\n"}},
	{"bad password", []string{"USERNAME mon\nPASSWORD bad\nLOGIN test\nPRIMARY test\nLOGIN nosuch\n"}},
	{"unknown user", []string{"USERNAME nobody\nPASSWORD x\nLOGIN test\nINSTCMD test load.off\n"}},
	{"admin cannot login", []string{"USERNAME admin\nPASSWORD secret\nLOGIN test\nPRIMARY test\n"}},
	{"SET checks", []string{"USERNAME admin\nPASSWORD secret\nSET VAR test\nSET VAR test ups.mfr\nSET VAR nosuch ups.mfr x\nSET VAR test nosuch.var 1\nSET VAR test device.mfr x\nSET VAR test ups.mfr \"123456789012345678901234567890123\"\nSET VAR down ups.mfr x\nSET TRACKING maybe\nSET FOO bar\nSET x\n"}},
	{"SET denied before existence", []string{"USERNAME mon\nPASSWORD pass\nSET VAR test ups.mfr x\nSET VAR test nosuch.var x\n"}},
	{"SET ok", []string{"USERNAME admin\nPASSWORD secret\nSET VAR test ups.mfr Acme\nSET VAR test battery.charge 100 extra\n"}},
	{"INSTCMD checks", []string{"USERNAME admin\nPASSWORD secret\nINSTCMD test\nINSTCMD nosuch load.off\nINSTCMD test nosuch.cmd\nINSTCMD down load.off\nINSTCMD test load.off\nINSTCMD test load.off 10 extra\n"}},
	{"INSTCMD not supported before access", []string{"USERNAME mon\nPASSWORD pass\nINSTCMD test nosuch.cmd\nINSTCMD test load.off\n"}},
	{"INSTCMD per-command rights", []string{"USERNAME cmdonly\nPASSWORD x\nINSTCMD test load.off\nINSTCMD test LOAD.OFF\n"}},
	{"tracking on", []string{"USERNAME admin\nPASSWORD secret\nSET TRACKING ON\nGET TRACKING\nGET TRACKING 00000000-0000-4000-8000-000000000000\nSET VAR test ups.mfr Acme\nINSTCMD test load.off\nSET TRACKING off\nGET TRACKING\n"}},
	{"FSD latch", []string{"USERNAME mon\nPASSWORD pass\nFSD fsdtest\nFSD nosuch\nFSD\nGET VAR fsdtest ups.status\nLIST VAR fsdtest\nLIST RW fsdtest\n"}},
	{"STARTTLS", []string{"STARTTLS\n"}},
	{"LOGOUT closes", []string{"LOGOUT\nVER\n"}},
	{"LOGOUT then another write", []string{"LOGOUT\n", "VER\n"}},
	{"LOGOUT twice in one write", []string{"LOGOUT\nLOGOUT\nNETVER\n"}},
	{"parse error drops the rest of the read", []string{"GET \"a#\nVER\n", "VER\n"}},
	{"quote across newline", []string{"GET VAR test \"ups.st\natus\"\n"}},
	{"unterminated quote waits", []string{"GET VAR \"test\n", "\" ups.status\n"}},
	{"backslash continuation", []string{"a\\\nb\n", "GET VAR test ups.\\\nstatus\n"}},
	{"quotes and escapes", []string{"GET VAR \"test\" \"ups.status\"\nGET VAR test ups.status\"x\"\nGET VAR \"te\"st ups.status\nGET VAR t\\est ups\\.status\nGET \"\" x\n"}},
	{"equals is a word", []string{"GET VAR test=ups.status\nGET=VAR\n"}},
	{"comments", []string{"GET VAR test ups.status # trailing\nGET VAR test ups.status#glued\n"}},
	{"control and high bytes dropped", []string{"GET VAR te\x01st ups.st\x7fatus\nGET VAR t\xc3\xa9est ups.status\n"}},
	{"overlong word", []string{"GET UPSDESC " + strings.Repeat("t", 700) + "\n", "GET VAR test " + strings.Repeat("v", 600) + "\n"}},
	{"too many words", []string{"GET VAR test ups.status" + strings.Repeat(" x", 40) + "\n"}},
	{"CR handling", []string{"GET VAR test ups.status\r\r\n", "\r\n", "GET\rVAR\rtest\rups.status\n"}},
	{"pipelined in one write", []string{"GET VAR test ups.status\nLIST UPS\nGET VAR test battery.charge\nLIST CMD test\n"}},
	{"split across writes", []string{"GET VA", "R test ups.sta", "tus\n"}},
}

func TestProtocolMatchesNUT(t *testing.T) {
	e := setup(t)
	for _, tc := range protocolCases {
		t.Run(tc.name, func(t *testing.T) {
			var chunks [][]byte
			for _, c := range tc.chunks {
				chunks = append(chunks, []byte(c))
			}
			want := normalize(roundTrip(t, e.nutAddr, chunks))
			got := normalize(roundTrip(t, e.ourAddr, chunks))
			if want == "" {
				t.Fatalf("NUT's upsd answered nothing; the case is broken")
			}
			if got != want {
				t.Errorf("reply differs from NUT's upsd\nrequest: %q\n--- NUT\n%s--- sysnut\n%s", tc.chunks, want, got)
			}
		})
	}
}

// TestStaleMatchesNUT stops a driver with SIGSTOP: both servers must answer
// DATA-STALE after MAXAGE (3 s here), and recover after SIGCONT.
func TestStaleMatchesNUT(t *testing.T) {
	e := setup(t)
	p := e.site.Process("stale")
	if p == nil {
		t.Fatal("no stale driver process")
	}
	req := [][]byte{[]byte("GET VAR stale ups.status\nLIST VAR stale\nGET NUMLOGINS stale\nGET UPSDESC stale\n")}
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer p.Signal(syscall.SIGCONT)
	deadline := time.Now().Add(15 * time.Second)
	var want, got string
	for time.Now().Before(deadline) {
		want = roundTrip(t, e.nutAddr, req)
		got = roundTrip(t, e.ourAddr, req)
		if strings.Contains(want, "DATA-STALE") && strings.Contains(got, "DATA-STALE") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.HasPrefix(want, "ERR DATA-STALE\n") || got != want {
		t.Fatalf("stale replies differ\n--- NUT\n%s--- sysnut\n%s", want, got)
	}
	if err := p.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{e.nutAddr, e.ourAddr} {
		waitReady(t, addr, "stale")
	}
	want = roundTrip(t, e.nutAddr, req)
	got = roundTrip(t, e.ourAddr, req)
	if !strings.HasPrefix(want, `VAR stale ups.status "OL"`) || got != want {
		t.Fatalf("replies after recovery differ\n--- NUT\n%s--- sysnut\n%s", want, got)
	}
}
