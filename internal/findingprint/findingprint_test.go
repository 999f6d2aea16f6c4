package findingprint

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

var (
	udp500  = vpnport.Resource{Kind: vpnport.UDP, Port: 500}
	udp1194 = vpnport.Resource{Kind: vpnport.UDP, Port: 1194}
	tcp8080 = vpnport.Resource{Kind: vpnport.TCP, Port: 8080}

	free     = diagnose.Finding{Resource: udp500, Cause: diagnose.Free, Message: "udp/500 is free."}
	held     = diagnose.Finding{Resource: udp1194, Cause: diagnose.OtherApp, Actions: []diagnose.Action{diagnose.Retry, diagnose.EndProcess, diagnose.UseOtherPort}, Message: "udp/1194 is held by nc (PID 42, /usr/bin/nc, user alice). Close it and retry, or end it."}
	timeWait = diagnose.Finding{Resource: tcp8080, Cause: diagnose.TimeWait, Actions: []diagnose.Action{diagnose.Wait}, Message: "tcp/8080 has 2 connection(s) in TIME_WAIT from a closed connection (no program holds it); they expire in 42s."}
)

// TestOneLineFormat pins the format every command prints: status, cause,
// message (which names the resource, once), next steps under the message.
func TestOneLineFormat(t *testing.T) {
	var out bytes.Buffer
	WriteFindings(&out, Style{}, []diagnose.Finding{held, free, timeWait})
	want := `PROBLEM  other-app          udp/1194 is held by nc (PID 42, /usr/bin/nc, user alice). Close it and retry, or end it.
                            next: retry, end-process, use-other-port
ok       free               udp/500 is free.
PROBLEM  time-wait          tcp/8080 has 2 connection(s) in TIME_WAIT from a closed connection (no program holds it); they expire in 42s.
                            next: wait
2 of 3 need attention
`
	if got := out.String(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestEveryCauseSameColumn: the message starts at messageColumn whatever
// the cause, so the lines of watch's checks line up with check's.
func TestEveryCauseSameColumn(t *testing.T) {
	for _, c := range diagnose.Causes {
		var out bytes.Buffer
		WriteFinding(&out, Style{}, diagnose.Finding{Resource: udp500, Cause: c, Message: "udp/500 X"})
		if i := strings.Index(out.String(), "udp/500 X"); i != messageColumn {
			t.Errorf("%s: message at column %d, want %d: %q", c, i, messageColumn, out.String())
		}
	}
}

// TestWrapUnderTheColumn: on a terminal of 60 columns each line fits, the
// continuation lines start at the message column, and no word is lost or
// split.
func TestWrapUnderTheColumn(t *testing.T) {
	var out bytes.Buffer
	WriteFinding(&out, Style{Width: 60}, held)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) < 4 {
		t.Fatalf("a 113-character message on 60 columns took %d lines:\n%s", len(lines), out.String())
	}
	indent := strings.Repeat(" ", messageColumn)
	var words []string
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > 60 {
			t.Errorf("line %d has %d columns: %q", i, n, l)
		}
		if i > 0 && (!strings.HasPrefix(l, indent) || l[messageColumn] == ' ') {
			t.Errorf("line %d is not under the message column: %q", i, l)
		}
		words = append(words, strings.Fields(l)...)
	}
	want := append(append([]string{"PROBLEM", "other-app"}, strings.Fields(held.Message)...), "next:", "retry,", "end-process,", "use-other-port")
	if strings.Join(words, " ") != strings.Join(want, " ") {
		t.Errorf("words changed:\n%q\nwant\n%q", words, want)
	}
}

// TestNoWrapWhenNarrowOrLongWord: a word wider than the column stays
// whole, and a terminal too narrow for the columns is not wrapped at all.
func TestNoWrapWhenNarrowOrLongWord(t *testing.T) {
	long := diagnose.Finding{Resource: udp500, Cause: diagnose.CrashedLeftover,
		Message: "udp/500 is locked by /var/lock/" + strings.Repeat("x", 60) + " for PID 9."}
	var out bytes.Buffer
	WriteFinding(&out, Style{Width: 70}, long)
	if !strings.Contains(out.String(), "/var/lock/"+strings.Repeat("x", 60)+"\n") {
		t.Errorf("the long path was split or lost:\n%s", out.String())
	}
	out.Reset()
	WriteFinding(&out, Style{Width: messageColumn + minWrap - 1}, held)
	if strings.Count(out.String(), "\n") != 2 {
		t.Errorf("a too narrow terminal wrapped anyway:\n%s", out.String())
	}
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestVerdictColours: PROBLEM red, time-wait amber, ok dim; the colour
// covers the verdict cells only, and the text without escapes is the plain
// line.
func TestVerdictColours(t *testing.T) {
	for _, tc := range []struct {
		f    diagnose.Finding
		want string
	}{
		{held, "\x1b[31mPROBLEM  other-app\x1b[0m          udp/1194"},
		{timeWait, "\x1b[33mPROBLEM  time-wait\x1b[0m          tcp/8080"},
		{free, "\x1b[2mok       free\x1b[0m               udp/500"},
	} {
		var col, plain bytes.Buffer
		WriteFinding(&col, Style{Color: true}, tc.f)
		WriteFinding(&plain, Style{}, tc.f)
		if !strings.HasPrefix(col.String(), tc.want) {
			t.Errorf("%s: got %q, want it to start with %q", tc.f.Cause, col.String(), tc.want)
		}
		if got := sgr.ReplaceAllString(col.String(), ""); got != plain.String() {
			t.Errorf("%s: without escapes %q, plain %q", tc.f.Cause, got, plain.String())
		}
		if strings.Contains(plain.String(), "\x1b") {
			t.Errorf("%s: plain style has an escape: %q", tc.f.Cause, plain.String())
		}
	}
}

// TestJSONIgnoresStyle: check --json is the same bytes in colour on a
// wide terminal as in a pipe.
func TestJSONIgnoresStyle(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var a, b bytes.Buffer
	attA := WriteCheck(&a, Style{Color: true, Width: 40}, true, at, []diagnose.Finding{held})
	attB := WriteCheck(&b, Style{}, true, at, []diagnose.Finding{held})
	if a.String() != b.String() || strings.Contains(a.String(), "\x1b") || !attA || !attB {
		t.Fatalf("styled JSON differs or has escapes:\n%s\n%s", a.String(), b.String())
	}
	if !strings.Contains(a.String(), `"checked_at": "2026-01-02T03:04:05Z"`) {
		t.Errorf("JSON lacks checked_at:\n%s", a.String())
	}
}

func TestActionCommand(t *testing.T) {
	if got, want := ActionCommand("ACTION", "udp/1194", 42, "tok"), "traycheck action ACTION --resource udp/1194 --pid 42 --token tok"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := ActionCommand("retry", "udp/1194", 0, "tok"), "traycheck action retry --resource udp/1194 --token tok"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
