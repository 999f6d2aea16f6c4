package procfs

import (
	"fmt"
	"os/user"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// clockTick is USER_HZ, the unit of /proc/PID/stat's starttime. The kernel
// fixes it at 100 on every architecture Go supports (sysconf _SC_CLK_TCK
// reports the same constant), so no cgo call is needed.
const clockTick = time.Second / 100

// maxRead bounds one file's read: a 1 MiB cmdline is cut there.
const maxRead = 1 << 20

// Process is what /proc tells about one process.
type Process struct {
	PID int
	// Comm is /proc/PID/comm: the name the kernel shows (15 bytes at most).
	Comm string
	// Exe is where /proc/PID/exe leads; "" when it may not be read (another
	// user's process, a kernel thread): never a guess.
	Exe string
	// Cmdline is nil for a kernel thread or a zombie.
	Cmdline []string
	// UID is the effective user, User its name (the number when it has
	// none).
	UID  uint32
	User string
	// StartTicks is when the process started, in clock ticks after boot;
	// Started the same as a time (zero when the boot time is unknown).
	StartTicks uint64
	Started    time.Time
	// Unit is the systemd service the process runs in (see
	// ParseCgroupUnit); UserUnit marks a user's own service.
	Unit     string
	UserUnit bool
}

// Reader reads process details from the procfs at Root ("" is /proc). Its
// buffers and its caches (user names, the boot time) live across calls, so
// describing a process allocates little more than the strings returned.
// Direct reads of a few small files beat gopsutil's process.NewProcess and
// its getters, which re-read /proc/PID/stat and /proc/PID/status several
// times and allocate freely (BenchmarkProcess). A Reader is not safe for
// concurrent use.
type Reader struct {
	Root string

	users    map[uint32]string
	bootTime time.Time
	buf      []byte
	linkBuf  []byte
}

// Dir is the procfs root the Reader reads.
func (r *Reader) Dir() string {
	if r.Root == "" {
		return "/proc"
	}
	return r.Root
}

// Process describes pid, or returns ok=false if the process is gone. With
// start != 0 it also returns false when pid is no longer the process that
// started then (the PID was reused): every detail is read through one
// handle on /proc/PID, which keeps pointing at the process it was opened
// for, so the details and the start time checked belong to one process.
func (r *Reader) Process(pid int, start uint64) (Process, bool) {
	dfd, err := unix.Open(r.Dir()+"/"+strconv.Itoa(pid), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return Process{}, false
	}
	defer unix.Close(dfd)
	p := Process{PID: pid}
	b, err := r.readAt(dfd, "stat", maxRead)
	if err != nil {
		return Process{}, false
	}
	st, err := ParseStat(b)
	if start != 0 && (err != nil || st.StartTicks != start) {
		return Process{}, false
	}
	if err == nil {
		p.StartTicks = st.StartTicks
		if bt := r.BootTime(); !bt.IsZero() {
			p.Started = bt.Add(time.Duration(st.StartTicks) * clockTick)
		}
	}
	comm, err := r.readAt(dfd, "comm", maxRead)
	if err != nil {
		return Process{}, false
	}
	p.Comm = TrimComm(comm)
	if n, err := unix.Readlinkat(dfd, "exe", r.link()); err == nil {
		p.Exe = string(r.linkBuf[:n])
	}
	if b, err := r.readAt(dfd, "status", maxRead); err == nil {
		if uid, ok := ParseStatusUID(b); ok {
			p.UID = uid
		}
	}
	p.User = r.UserName(p.UID)
	if b, err := r.readAt(dfd, "cmdline", maxRead); err == nil {
		p.Cmdline = SplitCmdline(b)
	}
	// The unit through the same handle: of the same process as the rest,
	// even if the PID was reused meanwhile.
	if b, err := r.readAt(dfd, "cgroup", maxRead); err == nil {
		p.Unit, p.UserUnit = ParseCgroupUnit(b)
	}
	return p, true
}

// Started returns when pid started, computed exactly as Process computes
// Started (the boot time plus /proc/PID/stat's start time in clock ticks).
// For the same process the two are equal to the tick; a process that
// reused the PID started at least one tick later, so callers compare with
// Equal, never within a tolerance.
func (r *Reader) Started(pid int) (time.Time, error) {
	b, err := r.Read(strconv.Itoa(pid) + "/stat")
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the start time of process %d: %w", pid, err)
	}
	st, err := ParseStat(b)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the start time of process %d: %w", pid, err)
	}
	bt := r.BootTime()
	if bt.IsZero() {
		return time.Time{}, fmt.Errorf("reading the boot time from %s/stat failed", r.Dir())
	}
	return bt.Add(time.Duration(st.StartTicks) * clockTick), nil
}

func (r *Reader) link() []byte {
	if r.linkBuf == nil {
		r.linkBuf = make([]byte, 4096)
	}
	return r.linkBuf
}

// UserName maps a UID to a user name, caching both hits and misses; an
// unknown UID is shown as its number.
func (r *Reader) UserName(uid uint32) string {
	if name, ok := r.users[uid]; ok {
		return name
	}
	if r.users == nil {
		r.users = map[uint32]string{}
	}
	name := FormatUID(uid)
	if u, err := user.LookupId(name); err == nil && u.Username != "" {
		name = u.Username
	}
	r.users[uid] = name
	return name
}

// BootTime returns the boot time from /proc/stat, read once per Reader: it
// only moves when the clock is stepped, by less than the second it is
// rounded to. Zero when it cannot be read.
func (r *Reader) BootTime() time.Time {
	if r.bootTime.IsZero() {
		if b, err := r.Read("stat"); err == nil {
			if sec, ok := ParseBootTime(b); ok {
				r.bootTime = time.Unix(sec, 0)
			}
		}
	}
	return r.bootTime
}

// Read reads the file at name, relative to the procfs root ("1/comm"),
// into the Reader's buffer: the bytes are valid until the next read.
func (r *Reader) Read(name string) ([]byte, error) {
	return r.readAt(unix.AT_FDCWD, r.Dir()+"/"+name, maxRead)
}

// readAt reads a /proc file (name relative to the directory dfd) into the
// reused buffer, growing it for a long cmdline or /proc/stat on a
// many-core machine, up to limit bytes.
func (r *Reader) readAt(dfd int, name string, limit int) ([]byte, error) {
	fd, err := unix.Openat(dfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if r.buf == nil {
		r.buf = make([]byte, 8<<10)
	}
	b, err := ReadFD(fd, r.buf, limit)
	if b != nil {
		r.buf = b[:cap(b)]
	}
	return b, err
}
