//go:build !windows

package lifecycle

import (
	"os"
	"syscall"
)

// reexec replaces this process with a fresh traycheck, same arguments and
// environment; every descriptor traycheck opens is close-on-exec.
func reexec() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, os.Environ())
}
