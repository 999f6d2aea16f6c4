//go:build !windows

package discover

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without blocking on a FIFO (O_NONBLOCK);
// readSource then refuses anything but a regular file.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
