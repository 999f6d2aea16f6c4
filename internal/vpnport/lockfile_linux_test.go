package vpnport

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

// useLockDirs points the probe at temporary lock directories.
func useLockDirs(t *testing.T, n int) []string {
	t.Helper()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	old := lockDirs
	lockDirs = append(dirs, filepath.Join(t.TempDir(), "absent"))
	t.Cleanup(func() { lockDirs = old })
	return dirs
}

// TestLockFileLiveWins: a dead lock under one name and a live one under
// another: the live one is the claim that matters, and its process is
// named.
func TestLockFileLiveWins(t *testing.T) {
	pts, n := testenv.OpenPTY(t)
	dirs := useLockDirs(t, 1)
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
	write("LCK..pts_"+strconv.Itoa(n), os.Getpid())
	o := probeOne(t, Resource{Kind: Device, Path: pts})
	if o.Lock == nil || !o.Lock.Alive || o.Lock.PID != os.Getpid() || o.Lock.Holder == nil || o.Lock.Holder.PID != os.Getpid() {
		t.Fatalf("lock = %+v, want the live one naming this test process", o.Lock)
	}
}

// TestLockFilePlanted: the lock directories are world-writable. A FIFO (whose
// blocking open would never return), a symlink to /dev/zero (endless
// bytes), a huge file, a directory and garbage planted under the device's
// lock name are no lock: the probe returns at once, names no PID, and says
// what it found.
func TestLockFilePlanted(t *testing.T) {
	pts, n := testenv.OpenPTY(t)
	name := "LCK..pts_" + strconv.Itoa(n)
	for what, plant := range map[string]func(p string) error{
		"fifo":    func(p string) error { return unix.Mkfifo(p, 0o644) },
		"zero":    func(p string) error { return os.Symlink("/dev/zero", p) },
		"huge":    hugeFile,
		"garbage": func(p string) error { return os.WriteFile(p, []byte("hello\n"), 0o644) },
		"dir":     func(p string) error { return os.Mkdir(p, 0o755) },
	} {
		t.Run(what, func(t *testing.T) {
			dirs := useLockDirs(t, 1)
			lock := filepath.Join(dirs[0], name)
			if err := plant(lock); err != nil {
				t.Fatal(err)
			}
			// The deadline only bounds a regression: without O_NONBLOCK the
			// FIFO's open blocks forever and this fails instead of hanging.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			p := New()
			defer p.Close()
			obs, err := p.Probe(ctx, []Resource{{Kind: Device, Path: pts}}, ProbeOptions{})
			if err != nil {
				t.Fatalf("probe: %v", err)
			}
			o := obs[0]
			if o.Lock != nil || o.BadLock == nil || o.BadLock.Path != lock || o.BadLock.Why == "" {
				t.Errorf("lock %+v, bad lock %+v; want no lock, and %s reported as no lock", o.Lock, o.BadLock, lock)
			}
		})
	}
}

// hugeFile plants a 64 MiB file at p, sparse: only its size matters.
func hugeFile(p string) error {
	if err := os.WriteFile(p, []byte("1"), 0o644); err != nil {
		return err
	}
	return os.Truncate(p, 64<<20)
}
