package vpnport

import (
	"context"
	"log/slog"
	"os"

	"github.com/traycheck/traycheck/internal/vpnport/taskfiles"
)

// useTaskFiles lets a complete walk ask the kernel's BPF task-file iterator
// instead of reading /proc/*/fd when this process may (root). Tests turn it
// off to check that both ways find the same holders; TRAYCHECK_PROC_WALK=1
// turns it off for a run (to compare the two in scripts/bench-owner.sh, or
// should a kernel's iterator ever misbehave).
var useTaskFiles = os.Getenv("TRAYCHECK_PROC_WALK") != "1"

// taskFiles is the iterator of one prober. A complete probe starts a list
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
}

// taskFileList is one background list. Its fields (and taskFiles.l) belong
// to its goroutine until done is closed.
type taskFileList struct {
	done    chan struct{}
	cancel  context.CancelFunc
	devices bool // character devices are listed too
	files   []taskfiles.File
	err     error
}

// startTaskFiles begins this probe's list.
func (s *linuxScan) startTaskFiles(devices bool) {
	if !useTaskFiles {
		return
	}
	if s.tf == nil {
		s.tf = &taskFiles{}
	}
	tf := s.tf
	s.stopTaskFiles() // a list a probe left behind is stale
	if tf.failed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	job := &taskFileList{done: make(chan struct{}), cancel: cancel, devices: devices}
	reuse := tf.spare
	tf.job, tf.spare = job, nil
	go func() {
		defer close(job.done)
		if tf.l == nil {
			if tf.l, job.err = taskfiles.New(); job.err != nil {
				return
			}
		}
		job.files, job.err = tf.l.List(ctx, reuse, devices)
		if job.err != nil && ctx.Err() == nil {
			tf.l.Close() // the kernel refused the iteration: walk /proc from now on
			tf.l = nil
		}
	}()
}

// cancelTaskFiles asks the current list, if any, to stop after its current
// read; the next start or walk waits for that.
func (s *linuxScan) cancelTaskFiles() {
	if tf := s.tf; tf != nil && tf.job != nil {
		tf.job.cancel()
	}
}

// stopTaskFiles ends the current list, if any, and waits for it: at most
// one read of the iterator (or the load, about 2 ms, the first time).
func (s *linuxScan) stopTaskFiles() {
	if tf := s.tf; tf != nil && tf.job != nil {
		tf.job.cancel()
		s.endTaskFiles()
	}
}

// endTaskFiles waits for the current list and takes it off the prober.
func (s *linuxScan) endTaskFiles() *taskFileList {
	tf := s.tf
	job := tf.job
	<-job.done
	job.cancel() // releases the context; the list has ended either way
	tf.job = nil
	tf.failed = tf.l == nil
	if cap(job.files) <= 1<<17 { // not one many times the usual size
		tf.spare = job.files[:0]
	}
	return job
}

// walkTaskFiles is the complete walk from this probe's list. It reports
// false, having found nothing, when there is no list (the iterator cannot
// be used here, or this probe did not start one), and the caller walks
// /proc: the same answer, slower.
func (s *linuxScan) walkTaskFiles(ctx context.Context) bool {
	tf := s.tf
	if tf == nil || tf.job == nil {
		return false
	}
	select {
	case <-tf.job.done:
	case <-ctx.Done():
		s.stopTaskFiles()
		return false
	}
	job := s.endTaskFiles()
	if job.err != nil {
		slog.Debug("walking /proc for socket owners", "why", job.err)
		return false
	}
	devices := s.wantsDevices()
	if devices && !job.devices {
		return false // listed for sockets only
	}
	for _, f := range job.files {
		if !f.Socket && (!devices || f.PID == selfPID) {
			continue
		}
		for i := range s.wants {
			w := &s.wants[i]
			switch {
			case f.Socket && w.rdev == 0 && w.inode == f.Inode:
				s.hits = append(s.hits, linuxHit{want: i, pid: f.PID, fd: f.FD})
			case !f.Socket && w.rdev != 0 && w.rdev == f.Rdev:
				s.hits = append(s.hits, linuxHit{want: i, pid: f.PID})
			}
		}
	}
	return true
}

// closeTaskFiles stops the list and unloads the iterator without waiting
// (a one-shot command should not wait for what it will not use).
func (s *linuxScan) closeTaskFiles() {
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
