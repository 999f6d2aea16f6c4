package serial

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

// lockDirsFor returns n fresh lock directories and one that does not exist.
func lockDirsFor(t *testing.T, n int) []string {
	t.Helper()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	return append(dirs, filepath.Join(t.TempDir(), "absent"))
}

// TestFindLockEveryName: given a link to a real pseudo-terminal (as a
// /dev/serial/by-id name points at ttyUSB0), each name a program may have
// locked it under is found, in whichever lock directory holds it.
func TestFindLockEveryName(t *testing.T) {
	pts, n := testenv.OpenPTY(t)
	link := filepath.Join(t.TempDir(), "usb-FTDI_FT232R_USB_UART_A10K-if00-port0")
	if err := os.Symlink(pts, link); err != nil {
		t.Fatal(err)
	}
	node, err := Stat(link)
	if err != nil {
		t.Fatal(err)
	}
	svr4 := fmt.Sprintf("LK.%03d.%03d.%03d", unix.Major(node.Dev), unix.Major(node.Rdev), unix.Minor(node.Rdev))
	for _, name := range []string{"LCK.." + filepath.Base(link), "LCK.." + strconv.Itoa(n), "LCK..pts_" + strconv.Itoa(n), "LCK..pts:" + strconv.Itoa(n), svr4} {
		for d := range 2 {
			dirs := lockDirsFor(t, 2)
			lock := filepath.Join(dirs[d], name)
			if err := os.WriteFile(lock, []byte("      4242\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			l, bad := FindLock(dirs, link, node)
			if l == nil || l.Path != lock || l.PID != 4242 || bad != nil {
				t.Errorf("lock of %s -> %s in dir %d: %+v, bad %+v; want %s naming 4242", link, pts, d, l, bad, lock)
			}
		}
	}
}

// TestFindLockLiveWins: a dead lock under one name and a live one under
// another: the live one is the claim that matters.
func TestFindLockLiveWins(t *testing.T) {
	pts, n := testenv.OpenPTY(t)
	node, err := Stat(pts)
	if err != nil {
		t.Fatal(err)
	}
	dirs := lockDirsFor(t, 1)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	write := func(name string, pid int) {
		if err := os.WriteFile(filepath.Join(dirs[0], name), fmt.Appendf(nil, "%10d\n", pid), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("LCK.."+strconv.Itoa(n), dead.Process.Pid)
	if l, _ := FindLock(dirs, pts, node); l == nil || l.Alive || l.PID != dead.Process.Pid {
		t.Fatalf("lock = %+v, want the dead one", l)
	}
	write("LCK..pts_"+strconv.Itoa(n), os.Getpid())
	if l, _ := FindLock(dirs, pts, node); l == nil || !l.Alive || l.PID != os.Getpid() {
		t.Fatalf("lock = %+v, want the live one naming this test process", l)
	}
}

// TestFindLockPlanted: the lock directories are world-writable. What is
// planted under a lock name and is no lock is returned apart, with the
// reason (without the path in front: the report names it), and nothing is
// opened that could block or never end. A missing device's lock is looked
// for too.
func TestFindLockPlanted(t *testing.T) {
	pts, n := testenv.OpenPTY(t)
	node, err := Stat(pts)
	if err != nil {
		t.Fatal(err)
	}
	name := "LCK..pts_" + strconv.Itoa(n)
	for what, tc := range map[string]struct {
		plant func(p string) error
		why   string
	}{
		"fifo":    {func(p string) error { return unix.Mkfifo(p, 0o644) }, "a named pipe (FIFO)"},
		"zero":    {func(p string) error { return os.Symlink("/dev/zero", p) }, "not a regular file: a symbolic link"},
		"link":    {func(p string) error { return os.Symlink("/etc/hostname", p) }, "a symbolic link"},
		"huge":    {hugeFile, "lock file holds no PID: 67108864 bytes, a lock has at most 128"},
		"garbage": {func(p string) error { return os.WriteFile(p, []byte("hello\n"), 0o644) }, "lock file holds no PID"},
		"dir":     {func(p string) error { return os.Mkdir(p, 0o755) }, "a directory"},
	} {
		dirs := lockDirsFor(t, 1)
		lock := filepath.Join(dirs[0], name)
		if err := tc.plant(lock); err != nil {
			t.Fatal(err)
		}
		l, bad := FindLock(dirs, pts, node)
		if l != nil || bad == nil || bad.Path != lock || !strings.Contains(bad.Why, tc.why) || strings.Contains(bad.Why, lock) {
			t.Errorf("%s: lock %+v, bad %+v; want no lock, and %s reported as no lock: %q without its path", what, l, bad, lock, tc.why)
		}
	}
	// Unplugged: no node, but the lock named after the path still counts.
	dirs := lockDirsFor(t, 1)
	os.WriteFile(filepath.Join(dirs[0], "LCK..ttyGone0"), []byte("      4242\n"), 0o644)
	if l, _ := FindLock(dirs, "/dev/ttyGone0", Node{}); l == nil || l.PID != 4242 {
		t.Errorf("lock of a missing device = %+v", l)
	}
}

// TestFindLockSameDirOnce: a lock directory reached twice (on Debian
// /var/lock is a link to /run/lock) is read once; a path that is no
// directory is skipped.
func TestFindLockSameDirOnce(t *testing.T) {
	dir := t.TempDir()
	alias := filepath.Join(t.TempDir(), "lock")
	os.Symlink(dir, alias)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if got := existingDirs([]string{dir, alias, file, filepath.Join(dir, "absent")}); len(got) != 1 || got[0] != dir {
		t.Errorf("existingDirs = %q, want [%s]", got, dir)
	}
}

// BenchmarkFindLock: the look-up a device check makes at every interval,
// over the lock directories of a Debian machine (where none holds a lock).
func BenchmarkFindLock(b *testing.B) {
	dirs := []string{b.TempDir(), "/run/lock", "/var/lock", "/var/spool/uucp", "/var/spool/lock"}
	node, err := Stat("/dev/null")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if l, bad := FindLock(dirs, "/dev/serial/by-id/usb-FTDI_A1-if00-port0", node); l != nil || bad != nil {
			b.Fatal(l, bad)
		}
	}
}

// hugeFile plants a 64 MiB file at p, sparse: only its size matters.
func hugeFile(p string) error {
	if err := os.WriteFile(p, []byte("1"), 0o644); err != nil {
		return err
	}
	return os.Truncate(p, 64<<20)
}
