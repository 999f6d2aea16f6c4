package serial

import "bytes"

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
		var arr [8][]byte
		f := fields(line, arr[:0])
		if len(f) < 6 || bytes.Equal(f[1], []byte("->")) {
			continue
		}
		pid, ok := parsePID(f[4])
		if !ok {
			continue
		}
		maj, rest, ok1 := bytes.Cut(f[5], []byte(":"))
		min, inode, ok2 := bytes.Cut(rest, []byte(":"))
		if !ok1 || !ok2 {
			continue
		}
		ma, ok1 := parseHex32(maj)
		mi, ok2 := parseHex32(min)
		in, ok3 := parseUint(inode)
		if !ok1 || !ok2 || !ok3 || ma != devMajor || mi != devMinor || in != ino {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// fields splits b at spaces and tabs into dst, up to its capacity.
func fields(b []byte, dst [][]byte) [][]byte {
	for len(b) > 0 && len(dst) < cap(dst) {
		i := 0
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		b = b[i:]
		j := 0
		for j < len(b) && b[j] != ' ' && b[j] != '\t' {
			j++
		}
		if j > 0 {
			dst = append(dst, b[:j])
		}
		b = b[j:]
	}
	return dst
}

// parseHex32 parses a non-empty run of hex digits that fits in 32 bits.
func parseHex32(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var n uint32
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | uint32(c)
	}
	return n, true
}
