// Package procfs reads Linux's /proc: the parsers of its files and of
// getdents output (OS-neutral, with fixtures and fuzzers that run
// everywhere) and, on Linux, a Reader of one process's details. It returns
// its own records (Stat, Process); vpnport turns them into Holders. The
// parsers take bytes the caller read into reused buffers, so the hot path
// allocates nothing.
package procfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
)

// SocketInode parses the target of a /proc/PID/fd/N link to a socket,
// "socket:[12345]", returning its inode.
func SocketInode(b []byte) (uint64, bool) {
	const prefix = "socket:["
	if len(b) < len(prefix)+2 || string(b[:len(prefix)]) != prefix || b[len(b)-1] != ']' {
		return 0, false
	}
	return Uint(b[len(prefix) : len(b)-1])
}

// Uint parses a non-empty run of ASCII digits that fits in 64 bits.
func Uint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// PID parses a /proc directory entry name that is a process id.
func PID(b []byte) (int, bool) {
	n, ok := Uint(b)
	if !ok || n == 0 || n > 1<<31-1 {
		return 0, false
	}
	return int(n), true
}

// Dirent is one linux_dirent64 record of a getdents64 buffer.
type Dirent struct {
	// Ino is d_ino. For a /proc/PID entry it tells one process from a
	// later one behind the same PID (see owners).
	Ino uint64
	// Name is the entry's name, within the caller's buffer and followed
	// there by its NUL: a C string as it is.
	Name []byte
}

// NextDirent splits the first linux_dirent64 record off a getdents64 buffer:
// d_ino u64, d_off s64, d_reclen u16, d_type u8, then the NUL-terminated
// name. ok is false at the end of the buffer or on a malformed record.
func NextDirent(b []byte) (d Dirent, rest []byte, ok bool) {
	const hdr = 19
	if len(b) < hdr {
		return Dirent{}, nil, false
	}
	reclen := int(binary.NativeEndian.Uint16(b[16:18]))
	if reclen < hdr || reclen > len(b) {
		return Dirent{}, nil, false
	}
	name := b[hdr:reclen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return Dirent{Ino: binary.NativeEndian.Uint64(b[:8]), Name: name}, b[reclen:], true
}

// ErrStat is returned by ParseStat for what is not a /proc/PID/stat.
var ErrStat = errors.New("malformed /proc/PID/stat")

// Stat is what traycheck needs from /proc/PID/stat.
type Stat struct {
	PPID int
	// StartTicks is field 22, starttime, in clock ticks after boot.
	StartTicks uint64
}

// ParseStat parses /proc/PID/stat. The command name (field 2) sits in
// parentheses and may itself contain spaces and ")", so fields are counted
// from the last ")".
func ParseStat(b []byte) (Stat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return Stat{}, ErrStat
	}
	rest := b[i+1:]
	var st Stat
	// rest starts with " S ppid ...": field 3 is the state.
	field := 2
	for len(rest) > 0 && field < 22 {
		rest = bytes.TrimLeft(rest, " ")
		j := bytes.IndexByte(rest, ' ')
		if j < 0 {
			j = len(rest)
		}
		tok := bytes.TrimRight(rest[:j], "\n")
		rest = rest[j:]
		field++
		switch field {
		case 4:
			n, ok := Uint(tok)
			if !ok || n > 1<<31-1 {
				return Stat{}, ErrStat
			}
			st.PPID = int(n)
		case 22:
			n, ok := Uint(tok)
			if !ok {
				return Stat{}, ErrStat
			}
			st.StartTicks = n
		}
	}
	if field < 22 {
		return Stat{}, ErrStat
	}
	return st, nil
}

// ParseBootTime finds "btime SECONDS" in /proc/stat.
func ParseBootTime(b []byte) (int64, bool) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			n, ok := Uint(bytes.TrimSpace(v))
			if !ok || n > 1<<62 {
				return 0, false
			}
			return int64(n), true
		}
	}
	return 0, false
}

// ParseStatusUID returns the effective UID from /proc/PID/status's
// "Uid:\treal\teffective\tsaved\tfs" line: the user whose rights the process
// has, as ps shows it.
func ParseStatusUID(b []byte) (uint32, bool) {
	i := bytes.Index(b, []byte("\nUid:"))
	if i < 0 {
		return 0, false
	}
	line := b[i+len("\nUid:"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	f := bytes.Fields(line)
	if len(f) < 2 {
		return 0, false
	}
	n, ok := Uint(f[1])
	if !ok || n > 1<<32-1 {
		return 0, false
	}
	return uint32(n), true
}

// SplitCmdline splits /proc/PID/cmdline (NUL-separated, usually with a
// trailing NUL) into arguments. A process that rewrote its title with spaces
// and no NULs comes back as one argument, as it is in the kernel.
func SplitCmdline(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	args := make([]string, 0, bytes.Count(b, []byte{0})+1)
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return append(args, string(b))
		}
		args = append(args, string(b[:i]))
		b = b[i+1:]
	}
}

// TrimComm trims the newline of /proc/PID/comm.
func TrimComm(b []byte) string {
	return string(bytes.TrimRight(b, "\n"))
}

// FormatUID renders a UID that has no user name.
func FormatUID(uid uint32) string { return strconv.FormatUint(uint64(uid), 10) }

// HidesPIDs reports whether /proc/self/mountinfo mounts procfs at
// mountPoint with hidepid=2 (or "invisible"): other users' processes are
// then not listed at all, so no EACCES tells that the view is partial.
// hidepid=1 lists them unreadable, which the walk notices by itself.
func HidesPIDs(mountinfo []byte, mountPoint string) bool {
	hidden := false
	for line := range bytes.SplitSeq(mountinfo, []byte("\n")) {
		pre, post, ok := bytes.Cut(line, []byte(" - "))
		if !ok {
			continue
		}
		f, g := bytes.Fields(pre), bytes.Fields(post)
		if len(f) < 5 || len(g) < 3 || string(g[0]) != "proc" || string(f[4]) != mountPoint {
			continue
		}
		// The last proc mount on the point is the one in effect.
		hidden = false
		for opt := range bytes.SplitSeq(g[2], []byte(",")) {
			switch string(opt) {
			case "hidepid=2", "hidepid=invisible":
				hidden = true
			}
		}
	}
	return hidden
}
