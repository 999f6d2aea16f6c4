package remedy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestParseLockPIDFixtures(t *testing.T) {
	cases := map[string]int{
		"LCK..ttyUSB0":       4242,
		"LCK..ttyS0.binary":  4242,
		"LCK..ttyACM0.named": 1234,
		"not-a-lock":         0,
	}
	for name, want := range cases {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := ParseLockPID(b)
		if want == 0 {
			if err == nil {
				t.Errorf("%s: PID %d, want an error", name, pid)
			}
			continue
		}
		if err != nil || pid != want {
			t.Errorf("%s: %d, %v, want %d", name, pid, err, want)
		}
	}
	for _, bad := range []string{"", "\n", "0\n", "-5\n", "99999999999999999999\n", "\x00\x00\x00\x00", "\xff\xff\xff\xff"} {
		if pid, err := ParseLockPID([]byte(bad)); err == nil {
			t.Errorf("ParseLockPID(%q) = %d, want an error", bad, pid)
		}
	}
}

func FuzzParseLockPID(f *testing.F) {
	for _, s := range []string{"      4242\n", "\x92\x10\x00\x00", "1 x", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pid, err := ParseLockPID(b)
		if err == nil && pid <= 0 {
			t.Fatalf("ParseLockPID(%q) = %d with no error", b, pid)
		}
	})
}

// deadPID returns the PID of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func lockFinding(path string, pid int) diagnose.Finding {
	return diagnose.Finding{
		Resource: vpnport.Resource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"},
		Cause:    diagnose.CrashedLeftover,
		Actions:  []diagnose.Action{diagnose.RemoveLock, diagnose.Retry},
		Lock:     &vpnport.LockFile{Path: path, PID: pid},
	}
}

func writeLock(t *testing.T, dir, name string, pid int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(padPID(pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func padPID(pid int) string { return fmt.Sprintf("%10d\n", pid) }

func TestRemoveLock(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	r := New(Options{})
	ctx := context.Background()

	stale := writeLock(t, dir, "LCK..ttyUSB0", dead)
	req := Request{Action: diagnose.RemoveLock, Finding: lockFinding(stale, dead)}
	if _, err := r.Do(ctx, req); !errors.Is(err, ErrNeedsConfirmation) {
		t.Fatalf("unconfirmed: %v", err)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("lock removed without confirmation: %v", err)
	}
	req.Confirmed = true
	if _, err := r.Do(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale lock still there: %v", err)
	}
}

func TestRemoveLockRefuses(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	cases := map[string]func() diagnose.Finding{
		"owner alive": func() diagnose.Finding {
			return lockFinding(writeLock(t, dir, "LCK..ttyS1", os.Getpid()), os.Getpid())
		},
		"file changed": func() diagnose.Finding {
			// The finding saw a dead PID; the file now names a live one.
			return lockFinding(writeLock(t, dir, "LCK..ttyS2", os.Getpid()), dead)
		},
		"not a lock name": func() diagnose.Finding {
			return lockFinding(writeLock(t, dir, "passwd", dead), dead)
		},
		"relative path": func() diagnose.Finding {
			return lockFinding("LCK..ttyS3", dead)
		},
		"symlink": func() diagnose.Finding {
			target := writeLock(t, dir, "LCK..target", dead)
			link := filepath.Join(dir, "LCK..ttyS4")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			return lockFinding(link, dead)
		},
		"garbage": func() diagnose.Finding {
			p := filepath.Join(dir, "LCK..ttyS5")
			os.WriteFile(p, []byte("not a pid\n"), 0o644)
			return lockFinding(p, dead)
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			f := mk()
			_, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.RemoveLock, Finding: f, Confirmed: true})
			if !errors.Is(err, ErrRefused) {
				t.Fatalf("err %v, want ErrRefused", err)
			}
			if _, err := os.Lstat(f.Lock.Path); filepath.IsAbs(f.Lock.Path) && err != nil {
				t.Fatalf("file removed: %v", err)
			}
		})
	}
}
