package vpnport

import (
	"bytes"
	"strconv"
)

// MaxProcLocksSize bounds how much of /proc/locks is read: each lock is one
// line of about 50 bytes, so this is tens of thousands of locks.
const MaxProcLocksSize = 1 << 20

// parseProcLocks appends to pids the process of every lock /proc/locks
// lists as held on the file whose file system device is devMajor:devMinor
// and whose inode is ino: picocom and pyserial (exclusive=True) flock() the
// serial device they use instead of writing a UUCP lock file, and this is
// the one place that names them to a user who may not read their fds.
//
// A line is "N: TYPE MODE ACCESS PID MAJ:MIN:INODE START END", the device
// numbers in hex; a waiter's line has "->" after "N:" and holds nothing.
// OFD locks carry PID -1 (they belong to an open file, not a process) and
// are skipped, as are malformed lines.
func parseProcLocks(b []byte, devMajor, devMinor uint32, ino uint64, pids []int) []int {
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		f := bytes.Fields(line)
		if len(f) < 6 || bytes.Equal(f[1], []byte("->")) {
			continue
		}
		pid, ok := procPID(f[4])
		if !ok {
			continue
		}
		maj, rest, ok1 := bytes.Cut(f[5], []byte(":"))
		min, inode, ok2 := bytes.Cut(rest, []byte(":"))
		if !ok1 || !ok2 {
			continue
		}
		ma, err1 := strconv.ParseUint(string(maj), 16, 32)
		mi, err2 := strconv.ParseUint(string(min), 16, 32)
		in, ok3 := procUint(inode)
		if err1 != nil || err2 != nil || !ok3 || uint32(ma) != devMajor || uint32(mi) != devMinor || in != ino {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}
