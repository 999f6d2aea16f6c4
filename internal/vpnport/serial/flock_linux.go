package serial

import (
	"bytes"
	"fmt"
	"io"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/safefile"
)

// procLocks is the kernel's list of file locks, readable by every user.
const procLocks = "/proc/locks"

// FlockHolders appends to pids those /proc/locks shows holding a lock on
// the node (see parseProcLocks) and returns them. /proc/locks is readable
// by every user, so this names picocom's or pyserial's process even where
// its fd table is private. A node that is no device, or a /proc/locks
// that cannot be read, adds nothing.
func FlockHolders(n Node, pids []int) []int {
	if n.Rdev == 0 {
		return pids
	}
	b, err := readProcLocks()
	if err != nil {
		return pids
	}
	return parseProcLocks(b, unix.Major(n.Dev), unix.Minor(n.Dev), n.Ino, pids)
}

// readProcLocks reads /proc/locks up to MaxProcLocksSize. It is a kernel
// file (safefile.OpenBounded refuses /proc by name), so it is opened with
// OpenRegular: non-blocking, and only if it is a regular file. A longer
// file (tens of thousands of locks) is read up to its last whole line
// within the cap, not refused: the holders in that part are real, and a
// holder further on still shows in the fd walk, which sees every process
// that has the device open.
func readProcLocks() ([]byte, error) {
	f, err := safefile.OpenRegular(procLocks)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxProcLocksSize))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", procLocks, err)
	}
	if len(b) == MaxProcLocksSize {
		b = b[:bytes.LastIndexByte(b, '\n')+1]
	}
	return b, nil
}
