// Package safefile opens the files traycheck reads and writes that someone
// else may have planted or replaced: the config, the log, the report's
// sources and destination. Every open is non-blocking (a FIFO or a device
// cannot hang it), the file's type is checked on the opened descriptor
// (fstat, so a swap after a check does not count), and reads are bounded
// (OpenBounded and ReadFull: the one opener and the one reader for
// configuration files others may have written, which also refuse /proc, /sys
// and /dev by name). Links are followed only where the caller asks; files
// are created only exclusively and without following a link.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrNotRegular is wrapped by the errors of OpenRegular and OpenLog for a
// path that is a FIFO, a device, a directory or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrNotStream is wrapped by OpenStream's error for a path that is neither
// a character device nor a FIFO.
var ErrNotStream = errors.New("not a character device or FIFO")

// ErrUnsafeDir is wrapped by CheckPrivateDir's error.
var ErrUnsafeDir = errors.New("directory is not private")

// Describe names a file type for messages: "a named pipe (FIFO)".
func Describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m.IsRegular():
		return "a regular file"
	}
	return "a special file (" + m.Type().String() + ")"
}

// keepIf keeps the open file f when its type passes ok, and otherwise closes
// it and returns the error refuse makes: the type is read from the open
// descriptor, so a name swapped after the open cannot pass for another.
func keepIf(f *os.File, ok func(fs.FileMode) bool, refuse func(fs.FileMode) error) (*os.File, error) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !ok(fi.Mode()) {
		f.Close()
		return nil, refuse(fi.Mode())
	}
	return f, nil
}

// regular keeps f only if it is a regular file.
func regular(f *os.File, path string) (*os.File, error) {
	return keepIf(f, fs.FileMode.IsRegular, func(m fs.FileMode) error {
		return fmt.Errorf("%s is %s: %w", path, Describe(m), ErrNotRegular)
	})
}

// stream keeps f only if it is a character device or a FIFO.
func stream(f *os.File, path string) (*os.File, error) {
	return keepIf(f, func(m fs.FileMode) bool { return m&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0 }, func(m fs.FileMode) error {
		return fmt.Errorf("%s leads to %s: %w", path, Describe(m), ErrNotStream)
	})
}
