package owners

import (
	"context"
	"slices"
	"time"
)

// memo is what the last walk found, kept for the next Lookup: in the
// long-running tray a conflict that stays would otherwise pay a complete
// walk of every process on every interval.
type memo struct {
	// at is when the last complete walk ran; zero: never (or it failed).
	at time.Time
	// inodes are the socket inodes the walks since then looked for, sorted.
	inodes []uint64
	// procs is the /proc listing the memo is current to: every process in
	// it has been looked at for inodes.
	procs []procEnt
	// held is every (socket, process, fd) found, each confirmed with the
	// process's start time.
	held []heldFD
	// unreadable counts processes whose fds could not be read.
	unreadable int
}

// heldFD is one fd of one process holding a socket, with the process's
// start time (clock ticks after boot): a PID names the same process only
// while the start time stays the same.
type heldFD struct {
	inode   uint64
	pid, fd int
	start   uint64
}

// covers reports whether the memo can answer for wants at now: only
// sockets, each looked for by the walks it remembers, recently enough.
func (m *memo) covers(wants []want, now time.Time) bool {
	if m.at.IsZero() || now.Before(m.at) || now.Sub(m.at) >= MemoMaxAge {
		return false
	}
	for _, w := range wants {
		if w.rdev != 0 {
			return false // any running process may open a device at any time
		}
		if _, ok := slices.BinarySearch(m.inodes, w.inode); !ok {
			return false
		}
	}
	return true
}

// scan finds the holders of s.wants: each want's pids, and for socket
// holders their start times in s.starts. With full set, or when the memo
// cannot answer, it walks every process; otherwise it re-checks.
func (s *scanner) scan(ctx context.Context, now time.Time, full bool) error {
	s.unreadable, s.listed = 0, false
	s.hits = s.hits[:0]
	s.starts = s.starts[:0]
	for i := range s.wants {
		s.wants[i].pids = s.wants[i].pids[:0]
	}
	if len(s.wants) == 0 {
		return nil
	}
	var err error
	if !full && s.memo.covers(s.wants, now) {
		if s.cur, err = s.listProcs(s.cur); err != nil {
			return err
		}
		done, err := s.recheck(ctx)
		if err != nil || done {
			return err
		}
		// A remembered PID now runs another process that holds the socket
		// too: start over with the complete walk, trusting nothing.
		s.unreadable, s.hits, s.starts = 0, s.hits[:0], s.starts[:0]
		for i := range s.wants {
			s.wants[i].pids = s.wants[i].pids[:0]
		}
	}
	s.memo.at = time.Time{}
	// The iterator's list comes with its own listing of /proc, taken
	// before it; the walk lists /proc now.
	if s.listed = s.walkTaskFiles(ctx); !s.listed {
		if s.cur, err = s.listProcs(s.cur); err != nil {
			return err
		}
		if err := s.walk(ctx, s.cur); err != nil {
			return err
		}
	}
	s.memo.held = s.settle(s.memo.held[:0])
	s.remember(now, s.unreadable)
	return nil
}

// recheck answers from the memo: it confirms each remembered holder (its fd
// still names the socket, its start time is unchanged) and walks only the
// processes that are new since the last look. done is false when a
// remembered PID turned out to be a different process still holding the
// socket, which a complete walk must sort out.
func (s *scanner) recheck(ctx context.Context) (done bool, err error) {
	held := s.held[:0]
	for _, h := range s.memo.held {
		wi := s.socketWant(h.inode)
		if wi < 0 {
			continue
		}
		start, ok := s.confirm(h.pid, h.fd, h.inode)
		if !ok {
			continue // closed it, or ended: no longer a holder
		}
		if start != h.start {
			return false, nil
		}
		held = append(held, h)
		s.wants[wi].add(h.pid)
		s.addStart(h.pid, start)
	}
	s.fresh = newProcs(s.fresh[:0], s.memo.procs, s.cur)
	if err := s.walk(ctx, s.fresh); err != nil {
		s.memo.at = time.Time{}
		return false, err
	}
	s.held = s.settle(held)
	s.memo.held, s.held = s.held, s.memo.held
	s.remember(s.memo.at, s.memo.unreadable+s.unreadable)
	return true, nil
}

// settle adds the walk's hits to the wants, confirming each socket fd and
// reading its process's start time; it returns held with the confirmed
// socket fds appended.
func (s *scanner) settle(held []heldFD) []heldFD {
	for _, h := range s.hits {
		w := &s.wants[h.want]
		if w.rdev != 0 {
			w.add(h.pid)
			continue
		}
		if slices.ContainsFunc(held, func(x heldFD) bool { return x.pid == h.pid && x.fd == h.fd && x.inode == w.inode }) {
			continue // a remembered holder that also looked new
		}
		start, ok := s.confirm(h.pid, h.fd, w.inode)
		if !ok {
			continue // ended or closed it since the walk
		}
		held = append(held, heldFD{inode: w.inode, pid: h.pid, fd: h.fd, start: start})
		w.add(h.pid)
		s.addStart(h.pid, start)
	}
	return held
}

// remember makes the memo current to this Lookup: the listing just read,
// the inodes just looked for.
func (s *scanner) remember(at time.Time, unreadable int) {
	s.memo.at, s.memo.unreadable = at, unreadable
	s.unreadable = unreadable
	s.memo.inodes = s.memo.inodes[:0]
	for _, w := range s.wants {
		if w.rdev == 0 {
			s.memo.inodes = append(s.memo.inodes, w.inode)
		}
	}
	slices.Sort(s.memo.inodes)
	s.memo.procs, s.cur = s.cur, s.memo.procs
}

func (s *scanner) socketWant(inode uint64) int {
	return slices.IndexFunc(s.wants, func(w want) bool { return w.rdev == 0 && w.inode == inode })
}

func (s *scanner) addStart(pid int, start uint64) {
	if !slices.ContainsFunc(s.starts, func(p Start) bool { return p.PID == pid }) {
		s.starts = append(s.starts, Start{pid, start})
	}
}

// newProcs appends to dst the entries of cur that are not in old (both
// sorted by PID): processes started since old was listed, including any
// behind a reused PID, whose directory has another inode number.
func newProcs(dst, old, cur []procEnt) []procEnt {
	i := 0
	for _, c := range cur {
		for i < len(old) && old[i].pid < c.pid {
			i++
		}
		if i < len(old) && old[i] == c {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}
