//go:build !windows

package remedy

import (
	"os"
	"syscall"
)

// openLockFile opens a lock file for the re-check before removal so that a
// FIFO planted (or swapped in) under the lock's name cannot block the
// action forever, and a final symlink is refused (ELOOP) rather than
// followed.
func openLockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
}
