package vpnport

import (
	"os/user"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/vpnport/procfs"
)

// linuxClockTick is USER_HZ, the unit of /proc/PID/stat's starttime. The
// kernel fixes it at 100 on every architecture Go supports (sysconf
// _SC_CLK_TCK reports the same constant), so no cgo call is needed.
const linuxClockTick = time.Second / 100

// linuxHolders fills Holder details from /proc. Direct reads of four small
// files beat gopsutil's process.NewProcess plus its getters, which re-read
// /proc/PID/stat and /proc/PID/status several times and allocate freely
// (see BenchmarkHolder* in holder_linux_test.go).
type linuxHolders struct {
	users    map[uint32]string
	bootTime time.Time
	buf      []byte
	linkBuf  []byte
}

// holder describes pid, or returns ok=false if the process is gone. With
// start != 0 it also returns false when pid is no longer the process that
// started then (the PID was reused): every detail is read through one
// handle on /proc/PID, which keeps pointing at the process it was opened
// for, so the details and the start time checked belong to one process.
func (h *linuxHolders) holder(pid int, start uint64) (Holder, bool) {
	dfd, err := unix.Open(procRoot+"/"+strconv.Itoa(pid), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return Holder{}, false
	}
	defer unix.Close(dfd)
	hd := Holder{PID: pid}
	b, err := h.readAt(dfd, "stat")
	if err != nil {
		return Holder{}, false
	}
	st, err := procfs.ParseStat(b)
	if start != 0 && (err != nil || st.StartTicks != start) {
		return Holder{}, false
	}
	if bt := h.boot(); err == nil && !bt.IsZero() {
		hd.Started = bt.Add(time.Duration(st.StartTicks) * linuxClockTick)
	}
	comm, err := h.readAt(dfd, "comm")
	if err != nil {
		return Holder{}, false
	}
	hd.Name = procfs.TrimComm(comm)
	// exe is unreadable for other users' processes and kernel threads:
	// leave it empty rather than guess.
	if n, err := unix.Readlinkat(dfd, "exe", h.link()); err == nil {
		hd.Exe = string(h.linkBuf[:n])
	}
	if b, err := h.readAt(dfd, "status"); err == nil {
		if uid, ok := procfs.ParseStatusUID(b); ok {
			hd.UID = uid
		}
	}
	hd.User = h.userName(hd.UID)
	if b, err := h.readAt(dfd, "cmdline"); err == nil {
		hd.Cmdline = procfs.SplitCmdline(b)
	}
	if hd.Cmdline == nil {
		hd.Cmdline = []string{}
	}
	h.culprit(dfd, &hd)
	return hd, true
}

func (h *linuxHolders) link() []byte {
	if h.linkBuf == nil {
		h.linkBuf = make([]byte, 4096)
	}
	return h.linkBuf
}

// userName maps a UID to a user name, caching both hits and misses; an
// unknown UID is shown as its number.
func (h *linuxHolders) userName(uid uint32) string {
	if name, ok := h.users[uid]; ok {
		return name
	}
	if h.users == nil {
		h.users = map[uint32]string{}
	}
	name := procfs.FormatUID(uid)
	if u, err := user.LookupId(name); err == nil && u.Username != "" {
		name = u.Username
	}
	h.users[uid] = name
	return name
}

// boot returns the boot time from /proc/stat, read once per prober: it only
// moves when the clock is stepped, by less than the second it is rounded to.
func (h *linuxHolders) boot() time.Time {
	if h.bootTime.IsZero() {
		if b, err := h.read(procRoot + "/stat"); err == nil {
			if sec, ok := procfs.ParseBootTime(b); ok {
				h.bootTime = time.Unix(sec, 0)
			}
		}
	}
	return h.bootTime
}

// read reads a /proc file into the reused buffer.
func (h *linuxHolders) read(path string) ([]byte, error) { return h.readAt(unix.AT_FDCWD, path) }

// readAt reads a /proc file (name relative to the directory dfd) into the
// reused buffer, growing it for a long cmdline or /proc/stat on a many-core
// machine.
func (h *linuxHolders) readAt(dfd int, name string) ([]byte, error) {
	fd, err := unix.Openat(dfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if h.buf == nil {
		h.buf = make([]byte, 8<<10)
	}
	// Bound memory: a 1 MiB cmdline is cut there.
	b, err := readFD(fd, h.buf, 1<<20)
	if b != nil {
		h.buf = b[:cap(b)]
	}
	return b, err
}
