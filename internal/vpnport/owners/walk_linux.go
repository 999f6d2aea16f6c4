package owners

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// want is something the /proc walk looks for in every fd: a socket
// inode, or (when rdev != 0) a character device.
type want struct {
	inode uint64
	rdev  uint64
	pids  []int
}

// procEnt is one entry of /proc: a PID and the inode number procfs gave its
// directory (getdents' d_ino). procfs numbers a process's directory when it
// first looks it up and keeps the number while the process lives; a new
// process behind a reused PID gets a new number. So (pid, ino) tells "the
// same process as last time" from "a process we have not looked at", for
// free. A number that changes for the same process (its entry evicted from
// the dentry cache) only costs one more look at that process.
type procEnt struct {
	pid int
	ino uint64
}

// scanner walks /proc/*/fd. Its buffers live across Lookups so a walk
// allocates next to nothing: directory entries come from getdents into
// reused buffers and links are read with readlinkat, using the
// NUL-terminated names getdents already put in the buffer.
type scanner struct {
	cur     []procEnt // this Lookup's /proc listing
	fresh   []procEnt // the processes a re-check walks
	dirBuf  []byte
	walkers []*walker
	pathBuf []byte
	statBuf []byte

	wants []want
	// unreadable counts processes whose fd directory we may not read
	// (another user's, while unprivileged).
	unreadable int
	// hits are the (want, pid, fd) triples of the last walk or re-check.
	hits []hit
	// starts are the confirmed socket holders' start times.
	starts []Start
	held   []heldFD // scratch for a re-check's holders

	memo memo
	tf   *taskFiles // nil until a complete walk first wants it
	// listed: the last complete look came from the task-file list.
	listed bool

	// root is the procfs walked; walkOnly keeps complete looks off the
	// task-file list (see Finder).
	root     string
	walkOnly bool
}

// hit is one fd of one process that is a wanted socket or device.
type hit struct {
	want, pid, fd int
}

// walker reads the fd tables of a share of the processes; each walker
// has its own buffers so walkers run in parallel.
type walker struct {
	fdBuf   []byte
	linkBuf []byte
	pathBuf []byte

	hits       []hit
	unreadable int
}

// listProcs reads the numeric entries of the procfs root with their inode
// numbers, sorted by PID, into dst.
func (s *scanner) listProcs(dst []procEnt) ([]procEnt, error) {
	return listProcs(s.root, dst, &s.dirBuf)
}

// listProcs is scanner.listProcs with the getdents buffer in *buf, so a
// background list can read /proc beside the walk.
func listProcs(root string, dst []procEnt, buf *[]byte) ([]procEnt, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return dst, fmt.Errorf("opening %s: %w", root, err)
	}
	defer unix.Close(fd)
	if *buf == nil {
		*buf = make([]byte, 32<<10)
	}
	dst = dst[:0]
	for {
		n, err := getdents(fd, *buf)
		if err != nil {
			return dst, fmt.Errorf("reading %s: %w", root, err)
		}
		if n <= 0 {
			break
		}
		b := (*buf)[:n]
		for {
			d, rest, ok := procfs.NextDirent(b)
			if !ok {
				break
			}
			b = rest
			if pid, ok := procfs.PID(d.Name); ok {
				dst = append(dst, procEnt{pid: pid, ino: d.Ino})
			}
		}
	}
	// Already ascending on every kernel seen; cheap if so.
	slices.SortFunc(dst, func(a, b procEnt) int { return a.pid - b.pid })
	return dst, nil
}

// scanPID looks through one process's fds and records every wanted one.
func (w *walker) scanPID(root string, pid int, wants []want, devices bool) {
	w.pathBuf = strconv.AppendInt(append(append(w.pathBuf[:0], root...), '/'), int64(pid), 10)
	w.pathBuf = append(w.pathBuf, "/fd\x00"...)
	dfd, err := openDir(w.pathBuf)
	if err != nil {
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
			w.unreadable++
		}
		return // or the process exited meanwhile
	}
	defer closeFD(dfd)
	if w.fdBuf == nil {
		w.fdBuf = make([]byte, 16<<10)
		w.linkBuf = make([]byte, 4096)
	}
	for {
		n, err := getdents(dfd, w.fdBuf)
		if err != nil || n <= 0 {
			return
		}
		b := w.fdBuf[:n]
		for {
			d, rest, ok := procfs.NextDirent(b)
			if !ok {
				break
			}
			b = rest
			name := d.Name
			if len(name) == 0 || name[0] == '.' {
				continue
			}
			// name is followed by its NUL inside fdBuf: a C string as is.
			ln, err := readlinkat(dfd, &name[0], w.linkBuf)
			if err != nil {
				continue
			}
			w.match(pid, dfd, name, w.linkBuf[:ln], wants, devices)
		}
		// No stopping on a short read: getdents also returns early when a
		// signal is pending (Go's preemption sends SIGURG), so only an
		// empty read ends the table.
	}
}

// selfPID is this process, left out of device holders.
var selfPID = os.Getpid()

func (w *walker) match(pid, dfd int, name, link []byte, wants []want, devices bool) {
	if ino, ok := procfs.SocketInode(link); ok {
		for i := range wants {
			if wants[i].rdev == 0 && wants[i].inode == ino {
				fd, _ := procfs.Uint(name)
				w.hits = append(w.hits, hit{want: i, pid: pid, fd: int(fd)})
			}
		}
		return
	}
	// The link is the kernel's path of the open file, aliases already
	// resolved: only files under /dev can be a device. Stat nothing else: a
	// regular file on a dead NFS mount would hang the walk.
	// traycheck's own fds (stdin on /dev/null, a tty) are never the holder
	// the user is asking about.
	if !devices || !bytes.HasPrefix(link, []byte("/dev/")) || pid == selfPID {
		return
	}
	// Compare device numbers, not paths: the holder may live in another
	// mount namespace, where the same device has another name.
	var st unix.Stat_t
	if unix.Fstatat(dfd, string(name), &st, 0) != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return
	}
	for i := range wants {
		if wants[i].rdev != 0 && wants[i].rdev == uint64(st.Rdev) {
			w.hits = append(w.hits, hit{want: i, pid: pid})
		}
	}
}

func (w *want) add(pid int) {
	if !slices.Contains(w.pids, pid) {
		w.pids = append(w.pids, pid)
	}
}

func (s *scanner) wantsDevices() bool {
	return slices.ContainsFunc(s.wants, func(w want) bool { return w.rdev != 0 })
}

// walkBatch is how many processes a walker takes at a time: small enough to
// share out a few processes with huge fd tables, large enough that the
// shared counter is not contended.
const walkBatch = 16

// walk reads the fd table of every process in procs and appends what it
// finds to s.hits. It is the complete answer: every process that holds a
// wanted socket or device is found, however it came to hold it (created,
// inherited across fork by workers whose parent has died, passed over a
// Unix socket). There is no early stop, because knowing that one holder was
// found says nothing about the others, and a finding that offers to end
// "the" holder must name them all. The cost is spread over the machine's
// cores: the walk is syscall-bound and processes are independent.
func (s *scanner) walk(ctx context.Context, procs []procEnt) error {
	devices := s.wantsDevices()
	n := min(runtime.GOMAXPROCS(0), 8, 1+len(procs)/(4*walkBatch))
	for len(s.walkers) < n {
		s.walkers = append(s.walkers, &walker{})
	}
	var next atomic.Int64
	var failed atomic.Bool
	run := func(w *walker) {
		w.hits, w.unreadable = w.hits[:0], 0
		for {
			i := int(next.Add(walkBatch)) - walkBatch
			if i >= len(procs) || failed.Load() {
				return
			}
			if ctx.Err() != nil {
				failed.Store(true)
				return
			}
			for _, p := range procs[i:min(i+walkBatch, len(procs))] {
				w.scanPID(s.root, p.pid, s.wants, devices)
			}
		}
	}
	if n <= 1 {
		run(s.walkers[0])
	} else {
		var wg sync.WaitGroup
		for _, w := range s.walkers[:n] {
			wg.Go(func() { run(w) })
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, w := range s.walkers[:n] {
		s.hits = append(s.hits, w.hits...)
		s.unreadable += w.unreadable
	}
	return nil
}

// confirm re-reads one found socket fd through a handle on the process's
// /proc directory and returns the process's start time (clock ticks after
// boot). Through that handle every read reaches the same process even if
// its PID is reused meanwhile (a dead process's directory answers ESRCH),
// so the fd and the start time belong together: what holders report later
// is checked against this start time, and a remembered holder against both.
func (s *scanner) confirm(pid, fd int, inode uint64) (start uint64, ok bool) {
	s.pathBuf = strconv.AppendInt(append(append(s.pathBuf[:0], s.root...), '/'), int64(pid), 10)
	s.pathBuf = append(s.pathBuf, 0)
	dfd, err := openDir(s.pathBuf)
	if err != nil {
		return 0, false
	}
	defer closeFD(dfd)
	if s.statBuf == nil {
		s.statBuf = make([]byte, 4096)
	}
	s.pathBuf = strconv.AppendInt(append(s.pathBuf[:0], "fd/"...), int64(fd), 10)
	s.pathBuf = append(s.pathBuf, 0)
	n, err := readlinkat(dfd, &s.pathBuf[0], s.statBuf)
	if err != nil {
		return 0, false
	}
	if ino, ok := procfs.SocketInode(s.statBuf[:n]); !ok || ino != inode {
		return 0, false
	}
	st, err := readStatAt(dfd, s.statBuf)
	if err != nil {
		return 0, false
	}
	return st.StartTicks, true
}

// readStatAt reads and parses the stat file of the /proc/PID directory dfd
// into buf.
func readStatAt(dfd int, buf []byte) (procfs.Stat, error) {
	f, err := unix.Openat(dfd, "stat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return procfs.Stat{}, err
	}
	defer unix.Close(f)
	b, err := procfs.ReadFD(f, buf, len(buf))
	if err != nil {
		return procfs.Stat{}, err
	}
	return procfs.ParseStat(b)
}
