// Package owners names the processes that hold given sockets (by inode) or
// character devices (by device number), on Linux. One call, Finder.Lookup,
// hides the three ways to the answer: the owners remembered from the last
// look (re-confirmed, so a standing conflict is re-checked in well under a
// millisecond), the kernel's BPF task-file list (taskfiles, for root) and
// the walk of every /proc/PID/fd. It returns its own records (PIDs per want,
// confirmed start times); vpnport turns them into Holders.
package owners

import "time"

// MemoMaxAge bounds how long remembered socket owners are trusted without a
// complete look. Between complete looks a re-check looks only at the
// remembered holders and at processes that did not exist at the last look:
// a process can come to hold a socket by creating it, by fork (it is then
// new) or by being handed the fd over a Unix socket or pidfd_getfd. Only
// the last can reach a process that was already running, and only a
// complete look notices it; this bounds how long such a holder goes
// unnamed. A caller asks for a complete look (Query.Full) at least this
// often.
const MemoMaxAge = 5 * time.Minute

// Want is one thing to find the holders of: a socket, by the inode number
// in its "socket:[N]" link, or, when Rdev is not 0, a character device by
// its device number (stat's st_rdev).
type Want struct {
	Inode uint64
	Rdev  uint64
}

// Query says how a Lookup may answer.
type Query struct {
	// Now is the caller's clock: the memo's age is measured against it.
	Now time.Time
	// Full asks for a complete look that trusts nothing remembered: a check
	// a person asked for, or the periodic one (see MemoMaxAge).
	Full bool
	// Devices says the wants may include character devices, so a list
	// started before they are known includes devices too.
	Devices bool
}

// Start is a socket holder's start time (clock ticks after boot, as
// procfs.Stat.StartTicks), read through the same /proc/PID handle as the
// fd that holds the socket: details read later under that PID belong to
// the holder only while the start time is the same.
type Start struct {
	PID   int
	Ticks uint64
}

// Result is what a Lookup found. Its slices belong to the Finder and are
// valid until its next Lookup.
type Result struct {
	// PIDs[i] are the processes holding the i-th want, each once, in the
	// order found.
	PIDs [][]int
	// Starts are the socket holders' confirmed start times.
	Starts []Start
	// Unreadable counts processes whose fd tables could not be read
	// (another user's, while unprivileged): an unfound socket may be theirs.
	Unreadable int
	// Listed: the complete look came from the BPF task-file list, not a
	// walk of /proc.
	Listed bool
}

// StartOf returns the confirmed start time of a socket holder, 0 if pid
// holds no wanted socket.
func (r *Result) StartOf(pid int) uint64 {
	for _, s := range r.Starts {
		if s.PID == pid {
			return s.Ticks
		}
	}
	return 0
}
