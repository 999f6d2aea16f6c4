//go:build !windows

package remedy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
)

// TestRemoveLockSVR4Name: lockdev's LK.nnn.nnn.nnn lock of a dead PID is
// removed like an LCK.. one; a look-alike name is not.
func TestRemoveLockSVR4Name(t *testing.T) {
	dir := t.TempDir()
	dead := deadPID(t)
	stale := writeLock(t, dir, "LK.000.188.000", dead)
	if _, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.RemoveLock, Finding: lockFinding(stale, dead), Confirmed: true}); err != nil {
		t.Fatalf("SVR4 lock: %v", err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("SVR4 lock still there: %v", err)
	}
	other := writeLock(t, dir, "LK.passwd", dead)
	if _, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.RemoveLock, Finding: lockFinding(other, dead), Confirmed: true}); !errors.Is(err, ErrRefused) {
		t.Errorf("LK.passwd: %v, want ErrRefused", err)
	}
}

// TestRemoveLockPlantedFIFO: a FIFO swapped in under the lock's name after
// the check must not hang the confirmed action (a blocking open of a FIFO
// waits for a writer forever); it is refused and left in place.
func TestRemoveLockPlantedFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "LCK..ttyUSB0")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{}).Do(context.Background(), Request{Action: diagnose.RemoveLock, Finding: lockFinding(p, deadPID(t)), Confirmed: true})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrRefused) {
			t.Errorf("err %v, want ErrRefused", err)
		}
	case <-time.After(10 * time.Second):
		// Unblock the open so the goroutine can end, then fail.
		if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		t.Fatal("remove-lock blocked on a FIFO")
	}
	if _, err := os.Lstat(p); err != nil {
		t.Errorf("FIFO removed: %v", err)
	}
}
