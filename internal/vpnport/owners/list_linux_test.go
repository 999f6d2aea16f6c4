package owners

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport/owners/taskfiles"
)

// newTaskFilesOrSkip loads the iterator, or calls Missing.
func newTaskFilesOrSkip(t *testing.T) *taskfiles.Lister {
	t.Helper()
	testenv.Root(t)
	l, err := taskfiles.New()
	if err != nil {
		testenv.Missing(t, "the BPF task-file iterator: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestTaskFilesWalkDecidesAnUnheldSocket: the list starts before the dump,
// so a socket the dump reports may have been made after the list passed its
// process. Staged here as a list that missed it (an empty one): the
// iterator's answer is not taken (no hits, false: the caller walks /proc),
// and the walk names the holder.
func TestTaskFilesWalkDecidesAnUnheldSocket(t *testing.T) {
	l := newTaskFilesOrSkip(t)
	ln := listen(t)
	s := scanner{root: "/proc"}
	s.wants = []want{{inode: socketInode(t, ln)}}
	done := make(chan struct{})
	close(done)
	s.tf = &taskFiles{l: l, job: &taskFileList{done: done, cancel: func() {}}}
	if s.walkTaskFiles(context.Background()) || len(s.hits) != 0 {
		t.Fatalf("an empty list was taken as the answer: hits %+v", s.hits)
	}
	if err := s.walk(context.Background(), mustListProcs(t)); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(s.hits, func(h hit) bool { return h.pid == os.Getpid() }) {
		t.Fatalf("walk hits %+v, want this process (%d)", s.hits, os.Getpid())
	}
}

func mustListProcs(t *testing.T) []procEnt {
	t.Helper()
	var buf []byte
	procs, err := listProcs("/proc", nil, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return procs
}

// TestTaskFilesNotUsedByALaterLookup: a complete Lookup that found nothing
// to look for (a free port) leaves its list behind; the next Lookup, which
// is not a complete one and so starts no list, must not take that old list
// for its own (it would miss a holder that came since) but walk.
func TestTaskFilesNotUsedByALaterLookup(t *testing.T) {
	newTaskFilesOrSkip(t)
	var f Finder
	defer f.Close()
	nothing := func(dst []Want) ([]Want, error) { return dst, nil }
	if _, err := f.Lookup(context.Background(), Query{Now: time.Now(), Full: true}, nothing); err != nil {
		t.Fatal(err)
	}
	if tf := f.s.tf; tf != nil && tf.job != nil {
		<-tf.job.done // the list is complete before the new holder comes
	}
	ln := listen(t)
	child := shareWithChild(t, ln)
	inode := socketInode(t, ln)
	res, err := f.Lookup(context.Background(), Query{Now: time.Now()}, func(dst []Want) ([]Want, error) {
		return append(dst, Want{Inode: inode}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.PIDs[0], child) || res.Listed {
		t.Fatalf("holders %v (listed %v), want %d among them from a walk", res.PIDs[0], res.Listed, child)
	}
}
