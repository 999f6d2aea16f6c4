//go:build unix

package findingprint

import "golang.org/x/sys/unix"

// terminal asks the tty driver for the window size: the ioctl fails
// (ENOTTY) on a pipe or file, which is also the test for a terminal.
func terminal(fd uintptr) termInfo {
	ws, err := unix.IoctlGetWinsize(int(fd), unix.TIOCGWINSZ)
	if err != nil {
		return termInfo{}
	}
	return termInfo{tty: true, cols: int(ws.Col), ansi: true}
}
