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
