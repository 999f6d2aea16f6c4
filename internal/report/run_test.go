package report

import (
	"path/filepath"
	"testing"
	"time"
)

// Two processes of the same user share the journal (the tray and a watch
// in a terminal): each stamps its run, and a report keeps one run only.
func TestJournalRunsStayApart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	tray, err := OpenJournalAt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tray.Close()
	watch, err := OpenJournalAt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	if tray.Run() == "" || tray.Run() == watch.Run() {
		t.Fatalf("runs %q and %q: want two distinct ids", tray.Run(), watch.Run())
	}
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i, j := range []*Journal{tray, watch, tray, watch} {
		if err := j.Write(Event{At: at.Add(time.Duration(i) * time.Minute), Kind: "finding", Resource: "udp/1194", What: "other-app"}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := ReadJournal(path)
	if err != nil || len(all) != 4 {
		t.Fatalf("journal: %v, %d events", err, len(all))
	}
	own := OwnEvents(all, tray.Run())
	if len(own) != 2 || own[0].At != at || own[1].At != at.Add(2*time.Minute) {
		t.Errorf("tray's own events: %+v", own)
	}
	newest := OwnEvents(all, "")
	if len(newest) != 2 || newest[0].Run != watch.Run() || newest[1].Run != watch.Run() {
		t.Errorf("newest run's events: %+v", newest)
	}
	if OwnEvents(nil, "") != nil {
		t.Error("no journal must stay nil (\"not recorded\")")
	}
}
