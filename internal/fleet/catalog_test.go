package fleet

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
)

var update = flag.Bool("update", false, "rewrite traycheck.catalog and traycheck.mc from Table")

// The installed catalog and message table are generated from Table: a row
// added or changed without regenerating them fails here.
func TestGeneratedFilesMatchTable(t *testing.T) {
	for file, want := range map[string][]byte{"traycheck.catalog": Catalog(), "traycheck.mc": MessageCompilerSource()} {
		if *update {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go test ./internal/fleet -run TestGeneratedFilesMatchTable -update", file)
		}
	}
}

// Every cause has a row; ids are unique and well-formed.
func TestTableComplete(t *testing.T) {
	t.Parallel()
	ids, eids := map[string]bool{}, map[uint32]bool{}
	for _, c := range diagnose.Causes {
		if _, ok := SpecFor(Kind(c)); !ok {
			t.Errorf("cause %s has no event", c)
		}
	}
	for _, s := range Table {
		if len(s.MessageID) != 32 || ids[s.MessageID] || eids[s.EventID] {
			t.Errorf("%s: bad or duplicate id %q / %d", s.Kind, s.MessageID, s.EventID)
		}
		ids[s.MessageID], eids[s.EventID] = true, true
		for _, c := range s.MessageID {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				t.Errorf("%s: MESSAGE_ID %q is not lowercase hex", s.Kind, s.MessageID)
			}
		}
	}
}

func TestEncodeJournalCannotForgeFields(t *testing.T) {
	t.Parallel()
	b := EncodeJournal([]Field{{"MESSAGE", "a\nPRIORITY=0"}, {"_PID", "1"}, {"bad name", "x"}, {"TRAYCHECK_X", "y"}})
	want := "MESSAGE\n\x0c\x00\x00\x00\x00\x00\x00\x00a\nPRIORITY=0\nTRAYCHECK_X=y\n"
	if string(b) != want {
		t.Fatalf("got %q", b)
	}
}
