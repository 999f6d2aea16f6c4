package serial

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

	"github.com/traycheck/traycheck/internal/safefile"
)

// Node is what a probe needs to know of a device node: its device number
// (to match fds), the file system device and inode (to match /proc/locks),
// and the path it resolves to (for lock names).
type Node struct {
	Rdev     uint64 // the character device's number; 0 when there is none
	Dev      uint64 // the file system device the node lives on
	Ino      uint64
	Resolved string // the path after symbolic links; "" when it cannot be resolved
}

// Stat stats a device path, following symbolic links such as
// /dev/serial/by-id/... The error is nil only for a character device;
// otherwise Rdev is 0, so there is nothing to match fds against, and:
//
//   - errors.Is(err, fs.ErrNotExist): nothing is there (see Siblings);
//   - errors.Is(err, fs.ErrPermission): a directory on the way may not be
//     searched, so what is there only a privileged look can tell; err is
//     the stat's own error ("permission denied");
//   - any other error: something is there or the name cannot be resolved
//     (a link loop, a FIFO, a directory, a regular file), but it is no
//     device; err says what, with the path.
func Stat(path string) (Node, error) {
	var n Node
	if real, err := filepath.EvalSymlinks(path); err == nil {
		n.Resolved = real
	}
	fi, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		switch {
		case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
			return n, fmt.Errorf("%s: %w: %w", path, fs.ErrNotExist, err)
		case errors.Is(err, unix.EACCES):
			return n, err
		}
		return n, fmt.Errorf("%s cannot be resolved to a device: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeDevice|fs.ModeCharDevice {
		return n, fmt.Errorf("%s is %s, not a character device", path, safefile.Describe(fi.Mode()))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		n.Rdev, n.Dev, n.Ino = uint64(st.Rdev), uint64(st.Dev), uint64(st.Ino)
	}
	return n, nil
}

// Siblings lists the existing character devices of the same family as the
// missing path (/dev/ttyUSB3 gone: /dev/ttyUSB0, /dev/ttyUSB1). ttyS nodes
// exist for every possible 8250 port; only those whose UART type under
// sysTTY (/sys/class/tty) is not 0 (PORT_UNKNOWN) are real.
func Siblings(path, sysTTY string) []string {
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
		if fam == "ttyS" && !realUART(sysTTY, name) {
			continue
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func realUART(sysTTY, name string) bool {
	b, err := os.ReadFile(filepath.Join(sysTTY, name, "type"))
	if err != nil {
		return false
	}
	t := strings.TrimSpace(string(b))
	return t != "" && t != "0"
}

// TryOpen is the last resort when the passive checks cannot answer (no
// holder found, but some processes were unreadable): open the device the
// gentlest way and close it at once. O_NONBLOCK keeps the open from waiting
// for carrier, O_NOCTTY keeps it from becoming our controlling terminal. A
// tty raises DTR on its first open and drops it on its last close; since a
// probe only gets here when someone else likely has it open, ours is
// neither, and if nobody does, no connection exists to hang up. EBUSY
// means another process set TIOCEXCL (root bypasses that, so this answers
// only for unprivileged probes, which is when it is needed).
func TryOpen(path string) OpenResult {
	for {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return OpenResult{Busy: errors.Is(err, unix.EBUSY), Err: err.Error()}
		}
		unix.Close(fd)
		return OpenResult{}
	}
}
