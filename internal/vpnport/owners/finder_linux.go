package owners

import (
	"context"
	"slices"
)

// Finder answers Lookups for one long-lived caller (a prober): what a
// Lookup found is remembered for the next, and the BPF iterator, once
// loaded, stays loaded until Close. A Finder is not safe for concurrent
// use.
type Finder struct {
	// Root is the procfs to walk ("" is /proc). It must be a real procfs:
	// fd links are read.
	Root string
	// WalkOnly keeps complete looks on the /proc walk even where the BPF
	// iterator could answer (tests compare the two ways).
	WalkOnly bool

	s     scanner
	wants []Want
	pids  [][]int
}

// Lookup finds the holders of the wants gather appends to its argument. A
// Full query starts the kernel's task-file list (when this process may
// load the iterator) before calling gather, so the list runs while the
// caller finds what to look for (dumping sockets); the list is the
// answer only if it names a holder for every wanted socket, else /proc is
// walked. Without Full, owners remembered from the last look answer when
// they cover the wants, each confirmed again, with only the processes
// started since walked. gather's error is returned as it is.
func (f *Finder) Lookup(ctx context.Context, q Query, gather func(dst []Want) ([]Want, error)) (Result, error) {
	s := &f.s
	s.root, s.walkOnly = f.Root, f.WalkOnly
	if s.root == "" {
		s.root = "/proc"
	}
	if q.Full {
		s.startTaskFiles(q.Devices)
		defer s.dropTaskFiles() // this Lookup's only: a later one lists afresh
	}
	var err error
	if f.wants, err = gather(f.wants[:0]); err != nil {
		return Result{}, err
	}
	// The wants' PID slices are kept from the last Lookup and refilled.
	n := len(f.wants)
	s.wants = slices.Grow(s.wants[:0], n)[:n]
	for i, w := range f.wants {
		s.wants[i].inode, s.wants[i].rdev = w.Inode, w.Rdev
	}
	if err := s.scan(ctx, q.Now, q.Full); err != nil {
		return Result{}, err
	}
	f.pids = f.pids[:0]
	for i := range s.wants {
		f.pids = append(f.pids, s.wants[i].pids)
	}
	return Result{PIDs: f.pids, Starts: s.starts, Unreadable: s.unreadable, Listed: s.listed}, nil
}

// Close stops a running list and unloads the iterator, without waiting (a
// one-shot command should not wait for what it will not use).
func (f *Finder) Close() { f.s.closeTaskFiles() }
