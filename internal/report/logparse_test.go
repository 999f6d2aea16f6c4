package report

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseLog(t *testing.T) {
	f, err := os.Open("testdata/traycheck.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := ParseLog(f)
	want := []Event{
		{At: time.Date(2026, 11, 25, 6, 59, 10, 500e6, time.UTC), Kind: "finding", Resource: "tcp/8080", What: "other-app",
			Detail: "tcp/8080 is held by ssh (PID 4242, /usr/bin/ssh, user alice). Close it and retry, or end it."},
		{At: time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC), Kind: "action", Resource: "tcp/8080", What: "end-process", Detail: "action done: ended ssh (PID 4242)"},
		{At: time.Date(2026, 11, 25, 7, 0, 5, 0, time.UTC), Kind: "action", Resource: "udp/1194", What: "reset-adapter", Detail: "action failed: pkexec: dismissed"},
		{At: time.Date(2026, 11, 25, 8, 1, 0, 0, time.UTC), Kind: "action", Resource: "udp/1194", What: "retry", Detail: "forwarded request"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events: %+v", len(got), got)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) || got[i].Kind != want[i].Kind || got[i].Resource != want[i].Resource ||
			got[i].What != want[i].What || got[i].Detail != want[i].Detail {
			t.Errorf("event %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
}

func TestParseLogKeepsTheNewest(t *testing.T) {
	var b strings.Builder
	for i := 0; i < MaxRecent+20; i++ {
		b.WriteString("time=2026-11-25T08:00:00Z level=INFO msg=\"action done\" action=retry resource=udp/" + strconv.Itoa(i) + "\n")
	}
	b.WriteString("time=2026-11-25T08:00:00Z msg=x action=retry resource=" + strings.Repeat("x", maxLogLine) + "\n")
	got := ParseLog(strings.NewReader(b.String()))
	if len(got) != MaxRecent || got[0].Resource != "udp/20" || got[MaxRecent-1].Resource != "udp/69" {
		t.Fatalf("kept %d, first %q, last %q", len(got), got[0].Resource, got[len(got)-1].Resource)
	}
}

func FuzzParseLog(f *testing.F) {
	if b, err := os.ReadFile("testdata/traycheck.log"); err == nil {
		f.Add(string(b))
	}
	f.Add("time=2026-11-25T08:00:00Z action=\"\\x\" cause=")
	f.Fuzz(func(t *testing.T, s string) {
		evs := ParseLog(strings.NewReader(s))
		if len(evs) > MaxRecent {
			t.Fatalf("%d events", len(evs))
		}
		for _, e := range evs {
			if e.Kind != "action" && e.Kind != "finding" {
				t.Fatalf("kind %q", e.Kind)
			}
		}
	})
}

func TestReadLog(t *testing.T) {
	if evs, err := ReadLog(t.TempDir() + "/none.log"); evs != nil || err != nil {
		t.Fatalf("missing log: %v, %v; want nil, nil (not recorded)", evs, err)
	}
	evs, err := ReadLog("testdata/traycheck.log")
	if err != nil || len(evs) != 4 {
		t.Fatalf("fixture: %d events, %v", len(evs), err)
	}
	// A log bigger than the tail: only its end is read, the cut line dropped.
	path := t.TempDir() + "/big.log"
	line := "time=2026-11-25T08:00:00Z level=INFO msg=\"action done\" action=retry resource=udp/1\n"
	big := strings.Repeat(line, logTail/len(line)+100) + strings.Replace(line, "udp/1", "udp/2", 1)
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	evs, err = ReadLog(path)
	if err != nil || len(evs) != MaxRecent || evs[MaxRecent-1].Resource != "udp/2" {
		t.Fatalf("big log: %d events, %v", len(evs), err)
	}
}
