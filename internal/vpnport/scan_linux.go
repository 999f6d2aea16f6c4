package vpnport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// linuxWant is something the /proc walk looks for in every fd: a socket
// inode, or (when rdev != 0) a character device.
type linuxWant struct {
	inode uint64
	rdev  uint64
	pids  []int
}

// linuxScan walks /proc/*/fd. Its buffers live across probes so a walk
// allocates next to nothing: directory entries come from getdents into
// dirBuf/fdBuf and links are read with readlinkat into linkBuf, using the
// NUL-terminated names getdents already put in the buffer.
type linuxScan struct {
	pids    []int
	dirBuf  []byte
	fdBuf   []byte
	linkBuf []byte
	pathBuf []byte
	statBuf []byte

	wants []linuxWant
	// unreadable counts processes whose fd directory we may not read
	// (another user's, while unprivileged).
	unreadable int
}

// listPIDs reads the numeric entries of procRoot in the order the kernel
// gives them (ascending).
func (s *linuxScan) listPIDs() error {
	fd, err := unix.Open(procRoot, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening %s: %w", procRoot, err)
	}
	defer unix.Close(fd)
	if s.dirBuf == nil {
		s.dirBuf = make([]byte, 32<<10)
	}
	s.pids = s.pids[:0]
	for {
		n, err := unix.ReadDirent(fd, s.dirBuf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", procRoot, err)
		}
		if n <= 0 {
			break
		}
		b := s.dirBuf[:n]
		for {
			name, rest, ok := nextDirent(b)
			if !ok {
				break
			}
			b = rest
			if pid, ok := procPID(name); ok {
				s.pids = append(s.pids, pid)
			}
		}
	}
	slices.Sort(s.pids) // already sorted on every kernel seen; cheap if so
	return nil
}

// scanPID looks through one process's fds and records it in every want it
// holds. It reports whether the process's fd directory could be read.
func (s *linuxScan) scanPID(pid int) bool {
	s.pathBuf = strconv.AppendInt(append(append(s.pathBuf[:0], procRoot...), '/'), int64(pid), 10)
	s.pathBuf = append(s.pathBuf, "/fd\x00"...)
	dfd, err := linuxOpenDir(s.pathBuf)
	if err != nil {
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
			s.unreadable++
			return false
		}
		return true // the process exited meanwhile
	}
	defer unix.Close(dfd)
	if s.fdBuf == nil {
		s.fdBuf = make([]byte, 8<<10)
		s.linkBuf = make([]byte, 4096)
	}
	for {
		n, err := unix.ReadDirent(dfd, s.fdBuf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n <= 0 {
			return true
		}
		b := s.fdBuf[:n]
		for {
			name, rest, ok := nextDirent(b)
			if !ok {
				break
			}
			b = rest
			if len(name) == 0 || name[0] == '.' {
				continue
			}
			// name is followed by its NUL inside fdBuf: a C string as is.
			ln, err := linuxReadlinkat(dfd, &name[0], s.linkBuf)
			if err != nil {
				continue
			}
			s.match(pid, dfd, name, s.linkBuf[:ln])
		}
	}
}

// selfPID is this process, left out of device holders.
var selfPID = os.Getpid()

func (s *linuxScan) match(pid, dfd int, name, link []byte) {
	if ino, ok := parseSocketLink(link); ok {
		for i := range s.wants {
			if w := &s.wants[i]; w.rdev == 0 && w.inode == ino {
				w.add(pid)
			}
		}
		return
	}
	// The link is the kernel's path of the open file, aliases already
	// resolved: only files under /dev can be a device. Stat nothing else: a
	// regular file on a dead NFS mount would hang the walk.
	// traycheck's own fds (stdin on /dev/null, a tty) are never the holder
	// the user is asking about.
	if !bytes.HasPrefix(link, []byte("/dev/")) || !s.wantsDevices() || pid == selfPID {
		return
	}
	// Compare device numbers, not paths: the holder may live in another
	// mount namespace, where the same device has another name.
	var st unix.Stat_t
	if unix.Fstatat(dfd, string(name), &st, 0) != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return
	}
	for i := range s.wants {
		if w := &s.wants[i]; w.rdev != 0 && w.rdev == uint64(st.Rdev) {
			w.add(pid)
		}
	}
}

func (w *linuxWant) add(pid int) {
	if !slices.Contains(w.pids, pid) {
		w.pids = append(w.pids, pid)
	}
}

func (s *linuxScan) wantsDevices() bool {
	for _, w := range s.wants {
		if w.rdev != 0 {
			return true
		}
	}
	return false
}

func (s *linuxScan) allSocketsFound() bool {
	for _, w := range s.wants {
		if w.rdev != 0 || len(w.pids) == 0 {
			return false
		}
	}
	return true
}

// scan finds the holders of s.wants.
//
// PIDs are walked from the highest down, because the process a user just
// started (the one in the way) is usually among the newest. When only sockets
// are wanted the walk stops once every inode has an owner; devices need the
// full walk, since any number of processes may have one open.
//
// A socket inherited across fork is one inode in several processes. After
// the early stop we look for those: for each owner we climb its parents while
// they hold the same inode, then continue the descending walk down to the
// topmost such ancestor. Every process forked after that ancestor has a
// higher PID, so its descendants (workers, siblings of the first owner) are
// covered without a full walk. This needs no CONFIG_PROC_CHILDREN (some
// kernels lack /proc/PID/task/*/children). What it can miss: inheritors
// forked after the PID counter wrapped (lower PIDs than the ancestor), heirs
// whose holding parent already exited, and sockets passed over a Unix socket
// (SCM_RIGHTS) to an unrelated process with a lower PID. If the ancestor is
// PID 1 (systemd socket activation) the walk becomes a full one, as it must.
func (s *linuxScan) scan(ctx context.Context) error {
	s.unreadable = 0
	if len(s.wants) == 0 {
		return nil
	}
	if err := s.listPIDs(); err != nil {
		return err
	}
	i := len(s.pids) - 1
	for ; i >= 0; i-- {
		if i&63 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.scanPID(s.pids[i])
		if s.allSocketsFound() {
			break
		}
	}
	if i <= 0 {
		return nil
	}
	stop := s.pids[i]
	floor := stop
	for wi := range s.wants {
		w := &s.wants[wi]
		for _, pid := range slices.Clone(w.pids) {
			if top := s.climb(w, pid); top < floor {
				floor = top
			}
		}
	}
	for i--; i >= 0 && s.pids[i] > floor; i-- {
		if i&63 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		s.scanPID(s.pids[i])
	}
	return nil
}

// climb follows pid's parents while they hold w's inode and returns the
// topmost holder.
func (s *linuxScan) climb(w *linuxWant, pid int) int {
	top := pid
	for range 64 { // a parent chain is short; bound it against a cycle
		ppid, ok := s.ppid(top)
		if !ok || ppid <= 0 {
			return top
		}
		s.scanPID(ppid)
		if !slices.Contains(w.pids, ppid) {
			return top
		}
		top = ppid
	}
	return top
}

func (s *linuxScan) ppid(pid int) (int, bool) {
	s.pathBuf = strconv.AppendInt(append(append(s.pathBuf[:0], procRoot...), '/'), int64(pid), 10)
	s.pathBuf = append(s.pathBuf, "/stat"...)
	b, err := s.readSmall(string(s.pathBuf))
	if err != nil {
		return 0, false
	}
	st, err := parseProcStat(b)
	return st.PPID, err == nil
}

// readSmall reads a small /proc file into the reused statBuf.
func (s *linuxScan) readSmall(path string) ([]byte, error) {
	if s.statBuf == nil {
		s.statBuf = make([]byte, 4096)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n := 0
	for n < len(s.statBuf) {
		m, err := unix.Read(fd, s.statBuf[n:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return s.statBuf[:n], nil
}

// linuxOpenDir opens a NUL-terminated directory path without the string
// conversion and copy unix.Open would make.
func linuxOpenDir(path []byte) (int, error) {
	cwd := unix.AT_FDCWD // a variable: the negative constant does not convert to uintptr
	fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(cwd), uintptr(unsafe.Pointer(&path[0])),
		uintptr(unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

// linuxReadlinkat is readlinkat(2) on a NUL-terminated name.
func linuxReadlinkat(dirfd int, name *byte, buf []byte) (int, error) {
	n, _, e := unix.Syscall6(unix.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(name)),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
