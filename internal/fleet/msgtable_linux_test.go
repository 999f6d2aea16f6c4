package fleet

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/traycheck/traycheck/internal/testenv"
)

// decodeMessageTable reads a MESSAGE_RESOURCE_DATA blob (what windmc writes
// and Windows' FormatMessage reads): its blocks of ids and their entries.
func decodeMessageTable(t *testing.T, b []byte) map[uint32]string {
	t.Helper()
	le := binary.LittleEndian
	out := map[uint32]string{}
	n := le.Uint32(b)
	for i := uint32(0); i < n; i++ {
		blk := b[4+12*i:]
		low, high, off := le.Uint32(blk), le.Uint32(blk[4:]), le.Uint32(blk[8:])
		for id := low; id <= high; id++ {
			length, flags := le.Uint16(b[off:]), le.Uint16(b[off+2:])
			text := b[off+4 : off+uint32(length)]
			var s string
			if flags&1 != 0 { // Unicode
				u := make([]uint16, len(text)/2)
				for j := range u {
					u[j] = le.Uint16(text[2*j:])
				}
				s = string(utf16.Decode(u))
			} else {
				s = string(text)
			}
			out[id] = strings.TrimRight(s, "\x00")
			off += uint32(length)
		}
	}
	return out
}

// The real message compiler turns traycheck.mc into the table the binary
// carries: every event id has its text, and %1 carries the event's message.
func TestMessageTableCompiles(t *testing.T) {
	windmc := testenv.LookPath(t, "x86_64-w64-mingw32-windmc")
	dir := t.TempDir()
	src, err := os.ReadFile("traycheck.mc")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "traycheck.mc"), src, 0o644)
	cmd := exec.Command(windmc, "traycheck.mc")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("windmc: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "MSG00409.bin"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := decodeMessageTable(t, bin)
	for _, s := range Table {
		m, ok := msgs[s.EventID]
		if !ok {
			t.Errorf("event id %d (%s) is not in the compiled table", s.EventID, s.Kind)
			continue
		}
		if !strings.HasPrefix(m, "traycheck: ") || !strings.Contains(m, "%1") {
			t.Errorf("event id %d: text %q", s.EventID, m)
		}
	}
	if len(msgs) != len(Table) {
		t.Errorf("compiled %d messages, table has %d", len(msgs), len(Table))
	}
}
