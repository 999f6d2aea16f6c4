package vpnport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// linuxNode is what the probe needs to know of a device node: its device
// number (to match fds), the file system device and inode (to match
// /proc/locks), and the path it resolves to (for lock names).
type linuxNode struct {
	rdev     uint64
	dev      uint64
	ino      uint64
	resolved string
}

// linuxStatDevice stats a device path (following symlinks such as
// /dev/serial/by-id/...). rdev is 0 when the path exists but is not a
// character device, so the /proc walk has nothing to compare.
func linuxStatDevice(o *Observation) (n linuxNode) {
	if real, err := filepath.EvalSymlinks(o.Resource.Path); err == nil {
		n.resolved = real
	}
	var st unix.Stat_t
	err := unix.Stat(o.Resource.Path, &st)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
		o.Exists = false
		o.Available = linuxAvailable(o.Resource.Path)
		return n
	case errors.Is(err, unix.EACCES):
		// Behind a directory we may not search: what is there, and who
		// holds it, only a privileged look can tell, never "free".
		o.Exists = true
		o.Unseen = true
		o.OpenErr = err.Error()
		return n
	case err != nil:
		// A link loop (ELOOP) or a name no stat resolves: no device is
		// there, so it is missing, never "free".
		o.Exists = false
		o.OpenErr = fmt.Sprintf("%s cannot be resolved to a device: %v", o.Resource.Path, err)
		return n
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR {
		// A FIFO, a directory or a regular file is no device to hold:
		// missing, never "free".
		what := fileTypeName(st.Mode & unix.S_IFMT)
		if st.Mode&unix.S_IFMT == unix.S_IFREG {
			what = "a regular file"
		}
		o.Exists = false
		o.OpenErr = fmt.Sprintf("%s is %s, not a character device", o.Resource.Path, what)
		return n
	}
	o.Exists = true
	o.USBID = linuxUSBID(o.Resource.Path)
	n.rdev, n.dev, n.ino = uint64(st.Rdev), uint64(st.Dev), st.Ino
	return n
}

// linuxAvailable lists the existing character devices of the same family as
// the missing path (/dev/ttyUSB3 gone: /dev/ttyUSB0, /dev/ttyUSB1). ttyS
// nodes exist for every possible 8250 port; only those whose UART type in
// sysfs is not 0 (PORT_UNKNOWN) are real.
func linuxAvailable(path string) []string {
	dir, base := filepath.Split(path)
	fam := ttyFamily(base)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if ttyFamily(name) != fam || name == base {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
			continue
		}
		if fam == "ttyS" && !linuxRealSerial(name) {
			continue
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func linuxRealSerial(name string) bool {
	b, err := os.ReadFile(filepath.Join(sysTTYRoot, name, "type"))
	if err != nil {
		return false
	}
	t := strings.TrimSpace(string(b))
	return t != "" && t != "0"
}

// linuxLockFile looks for the device's UUCP lock under every name a
// program may have used (uucpLockNames, and the SVR4 name when the node is
// known) in every lock directory that exists, and returns the one that
// matters most: a lock naming a live process, else one naming a dead one.
// A file at a lock name that is no lock (a FIFO, a link, a huge file,
// garbage) is no claim on the device: it is returned apart, so a check can
// say so without blaming a process.
func linuxLockFile(dev string, n linuxNode) (lock *LockFile, bad *BadLock) {
	names := uucpLockNames(dev, n.resolved)
	if n.rdev != 0 {
		names = append(names, lockdevSVR4Name(unix.Major(n.dev), unix.Major(n.rdev), unix.Minor(n.rdev)))
	}
	for _, dir := range linuxLockDirs() {
		for _, name := range names {
			p := filepath.Join(dir, name)
			b, err := readLockFile(p)
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			var pid int
			if err == nil {
				pid, err = ParseUUCPLock(b)
			}
			if err != nil {
				if bad == nil {
					bad = &BadLock{Path: p, Why: err.Error()}
				}
				continue
			}
			lf := &LockFile{Path: p, PID: pid, Alive: linuxAlive(pid)}
			if lf.Alive {
				return lf, bad
			}
			if lock == nil {
				lock = lf
			}
		}
	}
	return lock, bad
}

// linuxLockDirs returns the lock directories that exist, each once: on
// Debian /var/lock is a link to /run/lock, and reading it twice would only
// find the same files again.
func linuxLockDirs() []string {
	var out []string
	var seen [][2]uint64
	for _, dir := range lockDirs {
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		id := [2]uint64{uint64(st.Dev), st.Ino}
		if slices.Contains(seen, id) {
			continue
		}
		seen = append(seen, id)
		out = append(out, dir)
	}
	return out
}

// errNotLock is wrapped by readLockFile for a path that cannot be a lock.
var errNotLock = errors.New("not a regular file")

// readLockFile reads a lock file without trusting it: the lock
// directories are world-writable, so anyone may plant a FIFO (whose
// blocking open would hang the check for good), a symlink to /dev/zero or
// to a file of theirs, or a huge file there. The open never blocks and
// never follows a final symlink, fstat must show a regular file no larger
// than a lock, and one bounded read is all that is done.
func readLockFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("%w: a symbolic link", errNotLock)
	}
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if t := st.Mode & unix.S_IFMT; t != unix.S_IFREG {
		return nil, fmt.Errorf("%w: %s", errNotLock, fileTypeName(t))
	}
	if st.Size > MaxUUCPLockSize {
		return nil, fmt.Errorf("%w: %d bytes, a lock has at most %d", ErrUUCPLock, st.Size, MaxUUCPLockSize)
	}
	b := make([]byte, MaxUUCPLockSize+1)
	for {
		n, err := unix.Read(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return b[:n], nil
	}
}

func fileTypeName(t uint32) string {
	switch t {
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFDIR:
		return "a directory"
	}
	return fmt.Sprintf("file type %#o", t)
}

// linuxFlockHolders returns the PIDs /proc/locks shows holding a lock on
// the node (see parseProcLocks). /proc/locks is readable by every user,
// so this names picocom's or pyserial's process even where its fd table
// is private.
func linuxFlockHolders(n linuxNode, pids []int) []int {
	if n.rdev == 0 {
		return pids
	}
	b, err := readBounded(procRoot+"/locks", MaxProcLocksSize)
	if err != nil {
		return pids
	}
	return parseProcLocks(b, unix.Major(n.dev), unix.Minor(n.dev), n.ino, pids)
}

// linuxAlive reports whether pid exists: kill(pid, 0) succeeds or is denied
// (EPERM: alive, but another user's).
func linuxAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// readBounded reads at most max bytes of a regular file (procfs and sysfs
// files count as regular), opened so that it cannot block or follow a
// final symlink.
func readBounded(path string, max int) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if t := st.Mode & unix.S_IFMT; t != unix.S_IFREG {
		return nil, fmt.Errorf("%s: %w: %s", path, errNotLock, fileTypeName(t))
	}
	return readFD(fd, make([]byte, min(max, 4<<10)), max)
}

// linuxTryOpen is the last resort when the passive checks cannot answer
// (no holder found, but some processes were unreadable): open the device
// the gentlest way and close it at once. O_NONBLOCK keeps the open from
// waiting for carrier, O_NOCTTY keeps it from becoming our controlling
// terminal. A tty raises DTR on its first open and drops it on its last
// close; since we only get here when someone else likely has it open, ours
// is neither, and if nobody does, no connection exists to hang up.
// EBUSY means another process set TIOCEXCL (root bypasses that, so this
// answers only for unprivileged probes, which is when it is needed).
func linuxTryOpen(o *Observation) {
	fd, err := unix.Open(o.Resource.Path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, syscall.EBUSY) {
			o.Busy = true
		}
		o.OpenErr = err.Error()
		return
	}
	unix.Close(fd)
}
