package trigger

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestJournalFixture(t *testing.T) {
	f, err := os.Open("testdata/journal.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if ev, ok := journalEvent(sc.Bytes(), time.Unix(0, 0)); ok {
			got = append(got, ev)
		}
	}
	if len(got) != 4 {
		for _, e := range got {
			t.Logf("%+v", e)
		}
		t.Fatalf("%d events, want 4 (bind failure, connected, xl2tpd, sshd; not the auth failure, not bash)", len(got))
	}
	b := got[0]
	if b.Kind != Failed || b.Connection != "work" || b.Program != "openvpn" || b.Code != "EADDRINUSE" ||
		!strings.Contains(b.Line, ":1194: Address already in use") || !b.At.Equal(time.UnixMicro(1796648400000000)) {
		t.Errorf("bind failure: %+v", b)
	}
	if len(b.Resources) == 0 || b.Resources[0].Port != 1194 {
		t.Errorf("bind failure resources %v, want port 1194", b.Resources)
	}
	if got[1].Kind != Connected || got[1].Connection != "work" {
		t.Errorf("connected: %+v", got[1])
	}
	if x := got[2]; x.Kind != Failed || x.Program != "xl2tpd" || x.Connection != "xl2tpd" || !strings.HasPrefix(x.Line, "unable to bind") {
		t.Errorf("xl2tpd (a MESSAGE in bytes): %+v", x)
	}
	if s := got[3]; s.Kind != Failed || len(s.Resources) != 1 || s.Resources[0] != (vpnport.Resource{Kind: vpnport.TCP, Port: 8080}) {
		t.Errorf("sshd: %+v", s)
	}
}

func TestJournalMatchesAreORed(t *testing.T) {
	m := JournalMatches()
	if m[0] != "_COMM=openvpn" || m[1] != "+" || m[len(m)-1] != "SYSLOG_IDENTIFIER=sshd" {
		t.Fatalf("matches %v", m)
	}
	for _, a := range m {
		if v, ok := strings.CutPrefix(a, "_COMM="); ok && len(v) > 15 {
			t.Errorf("%s: the kernel keeps 15 bytes of a name", a)
		}
	}
}

func FuzzJournalLine(f *testing.F) {
	data, _ := os.ReadFile("testdata/journal.jsonl")
	for _, l := range strings.Split(string(data), "\n") {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ev, ok := journalEvent(line, time.Unix(0, 0))
		if ok && ev.Kind != Failed && ev.Kind != Connected {
			t.Fatalf("kind %q", ev.Kind)
		}
	})
}

// A journal entry longer than the bound is skipped and the entries after
// it still arrive: the source does not go silent on one dumped environment.
func TestEachLineSkipsOverlongLine(t *testing.T) {
	fixture, err := os.ReadFile("testdata/journal.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(fixture), "\n")
	in := strings.Repeat("x", 3*maxJournalLine) + "\n" + first + "\n" + strings.Repeat("y", 200<<10) + "\nlast"
	var got []string
	if err := eachLine(strings.NewReader(in), maxJournalLine, func(b []byte) { got = append(got, string(b)) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != first || len(got[1]) != 200<<10 || got[2] != "last" {
		t.Fatalf("%d lines, want the fixture's first, the 200 KiB one and the unterminated last", len(got))
	}
	if ev, ok := journalEvent([]byte(got[0]), time.Unix(0, 0)); !ok || ev.Kind != Failed {
		t.Fatalf("event %+v after the long line, want the bind failure", ev)
	}
}
