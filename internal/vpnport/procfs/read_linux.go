package procfs

import (
	"errors"

	"golang.org/x/sys/unix"
)

// ReadFD reads the open file fd to its end into buf, from its start, and
// returns what it read. A full buf is doubled, up to limit bytes in all;
// what lies past limit is cut. The returned slice may have grown beyond buf:
// callers that reuse a buffer keep it. A read a signal interrupted
// (EINTR; Go's preemption sends SIGURG) is retried, and only an empty
// read ends the file: procfs and sysfs may return less than asked before
// the end.
func ReadFD(fd int, buf []byte, limit int) ([]byte, error) {
	n := 0
	for n < limit {
		if n == len(buf) {
			buf = append(buf, make([]byte, min(max(len(buf), 512), limit-len(buf)))...)
		}
		m, err := unix.Read(fd, buf[n:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], nil
}
