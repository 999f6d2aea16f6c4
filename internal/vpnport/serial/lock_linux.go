package serial

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/safefile"
)

// Lock is a UUCP lock file naming a process.
type Lock struct {
	Path  string
	PID   int
	Alive bool // the process exists (perhaps another user's)
}

// BadLock is a file at one of a device's lock names that is no lock (a
// FIFO, a link, a huge file, garbage), and why not.
type BadLock struct {
	Path string
	Why  string // the reason, without the path in front
}

// FindLock looks in every one of dirs that exists for the lock of the
// device given as dev (n is what Stat found there; a missing device's lock
// matters too: a crashed program's lock outlives an unplugged adapter),
// under every name a program may have used (uucpLockNames, and the SVR4
// name when the node is known). It returns the lock that matters most, one
// naming a live process, else one naming a dead one. A file at a lock name
// that is no lock is no claim on the device: the first is returned apart,
// so a check can say so without blaming a process.
func FindLock(dirs []string, dev string, n Node) (lock *Lock, bad *BadLock) {
	names := uucpLockNames(dev, n.Resolved)
	if n.Rdev != 0 {
		names = append(names, lockdevSVR4Name(unix.Major(n.Dev), unix.Major(n.Rdev), unix.Minor(n.Rdev)))
	}
	for _, dir := range existingDirs(dirs) {
		for _, name := range names {
			p := filepath.Join(dir, name)
			b, err := readLock(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			var pid int
			if err == nil {
				pid, err = ParseUUCPLock(b)
			}
			if err != nil {
				if bad == nil {
					bad = &BadLock{Path: p, Why: withoutPath(err, p)}
				}
				continue
			}
			l := &Lock{Path: p, PID: pid, Alive: alive(pid)}
			if l.Alive {
				return l, bad
			}
			if lock == nil {
				lock = l
			}
		}
	}
	return lock, bad
}

// readLock reads a lock file without trusting it: the lock directories are
// world-writable, so anyone may plant a FIFO (whose blocking open would
// hang the check for good), a symlink to /dev/zero or to a file of theirs,
// or a huge file there. safefile's bounded open never blocks and never
// follows a final symlink here, and refuses all but a regular file no
// larger than a lock. Most lock names hold nothing: one lstat answers those
// before the bounded open's checks, which resolve the whole path, run.
func readLock(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	// What is planted is said in the lock's own terms (the user reads it
	// after "is no lock"); safefile's refusals speak of configuration
	// files. The bounded open below still refuses a file swapped in since.
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file: %s", safefile.Describe(fi.Mode()))
	}
	if fi.Size() > MaxUUCPLockSize {
		return nil, fmt.Errorf("%w: %d bytes, a lock has at most %d", ErrUUCPLock, fi.Size(), MaxUUCPLockSize)
	}
	f, _, err := safefile.OpenBounded(path, MaxUUCPLockSize, true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return safefile.ReadFull(f, MaxUUCPLockSize)
}

// withoutPath is err's text without path in front: a report names the
// lock's path already ("/run/lock/LCK..x is a directory: ..." becomes "a
// directory: ...").
func withoutPath(err error, path string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path && pe.Err != nil {
		return pe.Err.Error()
	}
	s := err.Error()
	if t, ok := strings.CutPrefix(s, path+" is "); ok {
		return t
	}
	if t, ok := strings.CutPrefix(s, path+" "); ok {
		return t
	}
	return s
}

// existingDirs returns the directories of dirs that exist, each once: on
// Debian /var/lock is a link to /run/lock, and reading it twice would only
// find the same files again.
func existingDirs(dirs []string) []string {
	var out []string
	var seen [][2]uint64
	for _, dir := range dirs {
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

// alive reports whether pid exists: kill(pid, 0) succeeds or is denied
// (EPERM: alive, but another user's).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
