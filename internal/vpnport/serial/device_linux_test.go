package serial

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

// TestStat: a character device (directly and through a link) gives its
// numbers; nothing, something behind an unsearchable directory and
// something that is no device each come back as the error its caller
// tells apart.
func TestStat(t *testing.T) {
	pts, _ := testenv.OpenPTY(t)
	dir := t.TempDir()
	link := filepath.Join(dir, "modem")
	os.Symlink(pts, link)
	var st unix.Stat_t
	if err := unix.Stat(pts, &st); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{pts, link} {
		n, err := Stat(p)
		if err != nil || n.Rdev != uint64(st.Rdev) || n.Dev != uint64(st.Dev) || n.Ino != st.Ino || n.Resolved != pts {
			t.Errorf("Stat(%s) = %+v, %v; want rdev %d, dev %d, ino %d, resolved %s", p, n, err, st.Rdev, st.Dev, st.Ino, pts)
		}
	}

	loop := filepath.Join(dir, "ttyLoop")
	os.Symlink("ttyLoop", loop)
	fifo := filepath.Join(dir, "ttyFIFO")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "ttyPlain")
	os.WriteFile(plain, nil, 0o600)
	for p, want := range map[string]string{
		loop:  "cannot be resolved to a device",
		fifo:  "is a named pipe (FIFO), not a character device",
		dir:   "is a directory, not a character device",
		plain: "is a regular file, not a character device",
	} {
		n, err := Stat(p)
		if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
			!strings.Contains(err.Error(), p+" "+want) || n.Rdev != 0 {
			t.Errorf("Stat(%s) = %+v, %v; want no device: %q", p, n, err, want)
		}
	}
	for _, p := range []string{filepath.Join(dir, "ttyGone0"), filepath.Join(plain, "below")} { // ENOENT, ENOTDIR
		if n, err := Stat(p); !errors.Is(err, fs.ErrNotExist) || n.Rdev != 0 {
			t.Errorf("Stat(%s) = %+v, %v; want fs.ErrNotExist", p, n, err)
		}
	}
}

// TestSiblings: the devices of the missing path's family, ttyS ones only
// when sysfs says a UART is there.
func TestSiblings(t *testing.T) {
	dir, sys := t.TempDir(), t.TempDir()
	for _, name := range []string{"ttyFOO0", "ttyFOO12", "ttyFOOBAR0", "ttyS0", "ttyS1"} {
		if err := os.Symlink("/dev/null", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "ttyFOO3"), nil, 0o644) // a regular file is no device
	for name, typ := range map[string]string{"ttyS0": "4\n", "ttyS1": "0\n"} {
		os.Mkdir(filepath.Join(sys, name), 0o755)
		if err := os.WriteFile(filepath.Join(sys, name, "type"), []byte(typ), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string][]string{
		filepath.Join(dir, "ttyFOO7"): {filepath.Join(dir, "ttyFOO0"), filepath.Join(dir, "ttyFOO12")},
		filepath.Join(dir, "ttyS4"):   {filepath.Join(dir, "ttyS0")},
		filepath.Join(dir, "ttyXYZ0"): nil,
	} {
		if got := Siblings(path, sys); !slices.Equal(got, want) {
			t.Errorf("Siblings(%s) = %q, want %q", path, got, want)
		}
	}
}

// TestTryOpen: a free pseudo-terminal opens; a missing one says why.
func TestTryOpen(t *testing.T) {
	pts, _ := testenv.OpenPTY(t)
	if r := TryOpen(pts); r != (OpenResult{}) {
		t.Errorf("TryOpen(%s) = %+v, want a plain success", pts, r)
	}
	if r := TryOpen(filepath.Join(t.TempDir(), "ttyGone0")); r.Busy || !strings.Contains(r.Err, "no such file") {
		t.Errorf("TryOpen(missing) = %+v", r)
	}
}

// TestFlockHolders: a flock() on a real pseudo-terminal is in /proc/locks
// under this process; a node nobody locked, or none at all, adds nothing.
func TestFlockHolders(t *testing.T) {
	pts, _ := testenv.OpenPTY(t)
	other, _ := testenv.OpenPTY(t)
	fd, err := unix.Open(pts, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	n, err := Stat(pts)
	if err != nil {
		t.Fatal(err)
	}
	if got := FlockHolders(n, []int{1}); !slices.Equal(got, []int{1, os.Getpid()}) {
		t.Errorf("FlockHolders(%s) = %v, want [1 %d] (appended to what was given)", pts, got, os.Getpid())
	}
	n2, err := Stat(other)
	if err != nil {
		t.Fatal(err)
	}
	if got := FlockHolders(n2, nil); len(got) != 0 {
		t.Errorf("FlockHolders(%s, unlocked) = %v", other, got)
	}
	if got := FlockHolders(Node{}, nil); len(got) != 0 {
		t.Errorf("FlockHolders(no node) = %v", got)
	}
}

// BenchmarkFlockHolders: the /proc/locks read and parse a device check
// makes whenever its node is a device.
func BenchmarkFlockHolders(b *testing.B) {
	n, err := Stat("/dev/null")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		FlockHolders(n, nil)
	}
}
