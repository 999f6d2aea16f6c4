//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/traycheck/traycheck/internal/safefile"
)

// notADevice says what path is when it exists and is not a character
// device ("" otherwise). A device that does not exist yet is fine: it may be
// unplugged, and the check then says "device missing". A FIFO, a directory,
// a /proc file or a link that cannot be resolved (a loop) listed as a device
// would otherwise be reported "free" on every check. os.Stat follows links
// (/dev/serial/by-id/... are links) and never opens the file, so a planted
// FIFO cannot block it.
func notADevice(path string) string {
	if !filepath.IsAbs(path) {
		return "" // a COM port name, not a file
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, syscall.ENOENT):
		return ""
	case errors.Is(err, syscall.ELOOP):
		return "a symbolic link loop (it never leads to a device)"
	case err != nil:
		return "a path that cannot be resolved to a device (" + err.Error() + ")"
	}
	if fi.Mode()&os.ModeCharDevice != 0 {
		return ""
	}
	return safefile.Describe(fi.Mode())
}
