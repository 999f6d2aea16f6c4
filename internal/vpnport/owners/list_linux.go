package owners

import (
	"context"
	"log/slog"
	"os"

	"github.com/traycheck/traycheck/internal/vpnport/owners/taskfiles"
)

// procWalkOnly: TRAYCHECK_PROC_WALK=1 keeps every Finder of the run off
// the BPF task-file iterator (to compare the two in
// scripts/bench-owner.sh, or should a kernel's iterator ever misbehave).
var procWalkOnly = os.Getenv("TRAYCHECK_PROC_WALK") == "1"

// taskFiles is the iterator of one Finder. A complete Lookup starts a list
// of every process's sockets in the background as it begins (loading the
// iterator the first time), so the list runs while the sockets are dumped;
// the walk then only matches. When the dump finds nothing to look for (a
// free port), the list is stopped between two reads. One list runs at a
// time, in its own goroutine: the Lister is never used by two.
type taskFiles struct {
	l      *taskfiles.Lister // owned by the running job, if any
	failed bool              // the iterator cannot be used in this process
	job    *taskFileList     // the newest list, running or done
	spare  []taskfiles.File  // a finished list's slice, for the next
	procs  []procEnt         // a finished list's /proc listing, for the next
	dirBuf []byte            // the jobs' getdents buffer
}

// taskFileList is one background list. Its fields (and taskFiles.l) belong
// to its goroutine until done is closed.
type taskFileList struct {
	done    chan struct{}
	cancel  context.CancelFunc
	devices bool // character devices are listed too
	// procs is /proc as listed just before the list: every process in it
	// was there for the list to see (the memo may only say that of those).
	procs []procEnt
	files []taskfiles.File
	err   error
	// stale: the Lookup that started it has ended; no other may use it.
	stale bool
}

// startTaskFiles begins this Lookup's list.
func (s *scanner) startTaskFiles(devices bool) {
	if s.walkOnly || procWalkOnly {
		return
	}
	if s.tf == nil {
		// Unprivileged, the iterator cannot load: one capget says so before
		// any BTF is read or /proc listed for a list that cannot come.
		s.tf = &taskFiles{failed: !taskfiles.Permitted()}
	}
	tf := s.tf
	s.stopTaskFiles() // a list a Lookup left behind is stale
	if tf.failed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	job := &taskFileList{done: make(chan struct{}), cancel: cancel, devices: devices, procs: tf.procs}
	reuse, root := tf.spare, s.root
	tf.job, tf.spare, tf.procs = job, nil, nil
	go func() {
		defer close(job.done)
		// The first time, /proc is read while the iterator loads.
		var loaded chan struct{}
		if tf.l == nil {
			loaded = make(chan struct{})
			go func() {
				defer close(loaded)
				tf.l, job.err = taskfiles.New()
			}()
		}
		procs, err := listProcs(root, job.procs, &tf.dirBuf)
		if loaded != nil {
			<-loaded
		}
		if job.procs = procs; job.err == nil {
			job.err = err
		}
		if job.err != nil {
			return
		}
		job.files, job.err = tf.l.List(ctx, reuse, devices)
		if job.err != nil && ctx.Err() == nil {
			tf.l.Close() // the kernel refused the iteration: walk /proc from now on
			tf.l = nil
		}
	}()
}

// dropTaskFiles ends the Lookup's claim on its list: the list, if it is
// still there (nothing to look for, or an error), is stopped after its
// current read and no later Lookup may use it; the next start waits for it.
func (s *scanner) dropTaskFiles() {
	if tf := s.tf; tf != nil && tf.job != nil {
		tf.job.stale = true
		tf.job.cancel()
	}
}

// stopTaskFiles ends the current list, if any, and waits for it: at most
// one read of the iterator (or the load, about 2 ms, the first time).
func (s *scanner) stopTaskFiles() {
	if tf := s.tf; tf != nil && tf.job != nil {
		tf.job.cancel()
		s.endTaskFiles()
	}
}

// endTaskFiles waits for the current list and takes it off the Finder.
func (s *scanner) endTaskFiles() *taskFileList {
	tf := s.tf
	job := tf.job
	<-job.done
	job.cancel() // releases the context; the list has ended either way
	tf.job = nil
	tf.failed = tf.l == nil
	if cap(job.files) <= 1<<17 { // not one many times the usual size
		tf.spare = job.files[:0]
	}
	tf.procs = job.procs[:0]
	return job
}

// walkTaskFiles is the complete walk from this Lookup's list. It reports
// false, having found nothing, when there is no list (the iterator cannot
// be used here, or this Lookup did not start one), and the caller walks
// /proc: the same answer, slower.
func (s *scanner) walkTaskFiles(ctx context.Context) bool {
	tf := s.tf
	if tf == nil || tf.job == nil || tf.job.stale {
		return false
	}
	select {
	case <-tf.job.done:
	case <-ctx.Done():
		s.stopTaskFiles()
		return false
	}
	job := s.endTaskFiles()
	devices := s.wantsDevices()
	if job.err != nil || devices && !job.devices {
		if job.err != nil {
			slog.Debug("walking /proc for socket owners", "why", job.err)
		}
		return false
	}
	start := len(s.hits)
	if !s.matchTaskFiles(job.files, devices) {
		// A wanted socket without a holder. The list began before the
		// dump, so the socket may have been made, accepted or handed over
		// after the list passed its process; or the kernel holds it; or
		// this kernel's iterator tells less than /proc does. "Held by no
		// process" is said only after the walk: the walk decides.
		s.hits = s.hits[:start]
		return false
	}
	// The memo's listing is the one taken before the list: every process
	// in it was there for the list to see.
	s.cur, tf.procs = job.procs, s.cur[:0]
	return true
}

// matchTaskFiles adds the files that are wanted sockets or devices to
// s.hits and reports whether every wanted socket got a holder.
func (s *scanner) matchTaskFiles(files []taskfiles.File, devices bool) bool {
	held := make([]bool, len(s.wants))
	for _, f := range files {
		if !f.Socket && (!devices || f.PID == selfPID) {
			continue
		}
		for i := range s.wants {
			w := &s.wants[i]
			switch {
			case f.Socket && w.rdev == 0 && w.inode == f.Inode:
				s.hits = append(s.hits, hit{want: i, pid: f.PID, fd: f.FD})
				held[i] = true
			case !f.Socket && w.rdev != 0 && w.rdev == f.Rdev:
				s.hits = append(s.hits, hit{want: i, pid: f.PID})
			}
		}
	}
	for i, w := range s.wants {
		if w.rdev == 0 && !held[i] {
			return false
		}
	}
	return true
}

// closeTaskFiles stops the list and unloads the iterator without waiting
// (a one-shot command should not wait for what it will not use).
func (s *scanner) closeTaskFiles() {
	tf := s.tf
	if tf == nil {
		return
	}
	s.tf = nil
	job := tf.job
	if job != nil {
		job.cancel()
	}
	go func() {
		if job != nil {
			<-job.done
		}
		if tf.l != nil {
			tf.l.Close()
		}
	}()
}
