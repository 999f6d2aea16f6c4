package owners

import (
	"context"
	"net"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// TestRememberedHolderVerified: a remembered holder is believed only while
// its fd still names the socket and its start time is the same; the
// details of a process behind a reused PID are never reported.
func TestRememberedHolderVerified(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	inode := socketInode(t, ln)
	s := scanner{root: "/proc"}
	s.wants = []want{{inode: inode}}
	if err := s.scan(context.Background(), time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if len(s.memo.held) != 1 {
		t.Fatalf("memo %+v, want our one fd", s.memo.held)
	}
	m := s.memo.held[0]
	start, ok := s.confirm(m.pid, m.fd, inode)
	if !ok || start != m.start || start == 0 {
		t.Fatalf("confirm = %d %v, want the remembered start %d", start, ok, m.start)
	}
	if _, ok := s.confirm(m.pid, m.fd, inode+1); ok {
		t.Error("confirm accepted an fd that names another socket")
	}
	var r procfs.Reader
	if _, ok := r.Process(m.pid, start); !ok {
		t.Error("details with the confirmed start time refused")
	}
	if _, ok := r.Process(m.pid, start+1); ok {
		t.Error("details under another start time (a reused PID) reported")
	}
	// A remembered start time that no longer matches sends the re-check
	// to a complete walk, which trusts nothing remembered.
	s.memo.held[0].start++
	if err := s.scan(context.Background(), time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.wants[0].pids, []int{os.Getpid()}) || s.memo.held[0].start != start {
		t.Errorf("after a start-time mismatch: pids %v memo %+v, want us with the true start %d", s.wants[0].pids, s.memo.held, start)
	}
}

func TestNewProcs(t *testing.T) {
	old := []procEnt{{1, 10}, {5, 50}, {7, 70}}
	cur := []procEnt{{1, 10}, {5, 51}, {6, 60}, {9, 90}}
	got := newProcs(nil, old, cur)
	want := []procEnt{{5, 51}, {6, 60}, {9, 90}}
	if !slices.Equal(got, want) {
		t.Errorf("newProcs = %v, want %v (a reused PID 5 is new)", got, want)
	}
}
