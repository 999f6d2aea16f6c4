package report

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestJournalRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := OpenJournalAt(p)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
	want := []Event{
		{At: at, Kind: "power", What: "suspend", Detail: "source logind"},
		{At: at.Add(time.Minute), Kind: "power", What: "resume", Detail: "slept 1m0s (logind)"},
		{At: at.Add(2 * time.Minute), Kind: "finding", Resource: "udp/1194", What: "other-app", Detail: "held by \"x\"\nnewline"},
		{At: at.Add(3 * time.Minute), Kind: "action", Resource: "udp/1194", What: "end-process", Detail: "ended x (PID 4)"},
	}
	for _, e := range want {
		if err := j.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	// A line of something else (a log line, a torn write) is skipped.
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("time=2026-11-25T08:00:00Z level=INFO msg=\"action done\" action=retry resource=udp/1\n{\"at\":")
	f.Close()
	got, err := ReadJournal(p)
	if err != nil || len(got) != len(want) {
		t.Fatalf("ReadJournal = %+v, %v", got, err)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) || got[i].Kind != want[i].Kind || got[i].What != want[i].What ||
			got[i].Resource != want[i].Resource || got[i].Detail != want[i].Detail {
			t.Errorf("event %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if sus, res := LastPower(got); !sus.Equal(at) || !res.Equal(at.Add(time.Minute)) {
		t.Errorf("LastPower = %v, %v", sus, res)
	}
}

func TestJournalKeepsTheNewest(t *testing.T) {
	var b strings.Builder
	for i := range MaxRecent + 20 {
		b.WriteString(`{"at":"2026-11-25T08:00:00Z","kind":"action","what":"retry","resource":"udp/` + strconv.Itoa(i) + "\"}\n")
	}
	got := parseJournal(strings.NewReader(b.String()), false)
	if len(got) != MaxRecent || got[0].Resource != "udp/20" || got[MaxRecent-1].Resource != "udp/69" {
		t.Fatalf("kept %d, first %+v", len(got), got[0])
	}
}

func TestReadJournalMissing(t *testing.T) {
	if evs, err := ReadJournal(filepath.Join(t.TempDir(), "none")); evs != nil || err != nil {
		t.Fatalf("missing journal = %v, %v; want nil, nil", evs, err)
	}
}
