package vpnport

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// linuxStatDevice stats a device path (following symlinks such as
// /dev/serial/by-id/...). rdev is 0 when the path exists but is not a
// character device, so the /proc walk has nothing to compare.
func linuxStatDevice(o *Observation) (rdev uint64) {
	var st unix.Stat_t
	err := unix.Stat(o.Resource.Path, &st)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
		o.Exists = false
		o.Available = linuxAvailable(o.Resource.Path)
		return 0
	case err != nil:
		// Exists but unreadable (a directory we may not search).
		o.Exists = true
		o.OpenErr = err.Error()
		return 0
	}
	o.Exists = true
	if st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return 0
	}
	o.USBID = linuxUSBID(o.Resource.Path)
	return uint64(st.Rdev)
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

// linuxLockFile returns the device's UUCP lock file from the first lock
// directory that has one. On Debian /var/lock is a symlink to /run/lock,
// so both names usually find the same file.
func linuxLockFile(dev string) *LockFile {
	name := uucpLockName(dev)
	for _, dir := range lockDirs {
		p := filepath.Join(dir, name)
		b, err := readBounded(p, 128)
		if err != nil {
			continue
		}
		lf := &LockFile{Path: p}
		if pid, err := ParseUUCPLock(b); err == nil {
			lf.PID = pid
			lf.Alive = linuxAlive(pid)
		}
		return lf
	}
	return nil
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

func readBounded(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, max)
	n, err := f.Read(b)
	if n == 0 && err != nil {
		return nil, err
	}
	return b[:n], nil
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
