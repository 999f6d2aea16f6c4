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
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
	"github.com/traycheck/traycheck/internal/vpnport/serial"
)

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

// TestRemoveLockShortTextLock: a 4-byte text lock ("123\n") names PID 123 for
// remove-lock exactly as for the probe that made the finding; remove-lock once
// read it as a binary int and refused with "the file changed".
func TestRemoveLockShortTextLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "LCK..ttyUSB0")
	if err := os.WriteFile(p, []byte("123\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	seen, err := serial.ParseUUCPLock(b) // what the probe reports
	if err != nil || seen != 123 {
		t.Fatalf("probe reads %d, %v", seen, err)
	}
	// PID 123 may well be alive on this machine; what matters here is that
	// both sides read the same PID, so the liveness edge says dead.
	r := New(Options{Alive: func(pid int) bool { return pid != 123 }})
	if _, err := r.Do(context.Background(), Request{Action: diagnose.RemoveLock, Finding: lockFinding(p, seen), Confirmed: true}); err != nil {
		t.Fatalf("Do = %v, want the stale lock removed", err)
	}
	if _, err := os.Lstat(p); !os.IsNotExist(err) {
		t.Fatalf("lock still there: %v", err)
	}
}

// TestRemoveLockRefusesSymlink: a symlink under the lock's name is a
// different file and is refused. (Its own test so that the Windows lane can
// list it: Wine 8.0 reports success for CreateSymbolicLinkW and creates
// nothing.)
func TestRemoveLockRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	target := writeLock(t, dir, "LCK..target", dead)
	link := filepath.Join(dir, "LCK..ttyS4")
	if err := os.Symlink(target, link); err != nil {
		// Windows without Developer Mode may not create symlinks.
		testenv.Missing(t, "symlinks: %v", err)
	}
	_, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.RemoveLock, Finding: lockFinding(link, dead), Confirmed: true})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("err %v, want ErrRefused", err)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Fatalf("link removed: %v", err)
	}
	if _, err := os.Lstat(target); err != nil {
		t.Fatalf("target removed: %v", err)
	}
}
