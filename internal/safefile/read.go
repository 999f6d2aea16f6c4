package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrTooLarge is wrapped by OpenBounded's and ReadFull's errors for a file
// over the caller's size cap.
var ErrTooLarge = errors.New("larger than the size cap")

// ErrPseudoFile is wrapped by OpenBounded's error for a path in /proc, /sys
// or /dev, or a file on a kernel pseudo file system: such files look
// regular to fstat (/proc/kmsg, trace_pipe) but never end, block, or
// consume what they give (as root, reading /proc/kmsg takes the kernel's
// messages from everyone else).
var ErrPseudoFile = errors.New("a kernel or device file, not a configuration file")

// pseudoRoots are the trees no configuration file lives in.
var pseudoRoots = []string{"/proc", "/sys", "/dev"}

// inPseudoRoot reports whether the absolute path p is in one of pseudoRoots.
func inPseudoRoot(p string) bool {
	if !filepath.IsAbs(p) || filepath.Separator != '/' {
		return false
	}
	p = filepath.Clean(p)
	for _, r := range pseudoRoots {
		if p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// OpenBounded opens a configuration file someone else may have planted, for
// reading: by name it refuses /proc, /sys and /dev (the path as given and
// where its links lead), the open cannot block (OpenRegular), and the open
// file must be a regular file, not on a kernel pseudo file system, of at most
// max bytes. Links are followed (configuration files are often links);
// nofollow refuses a link in the last element instead. The FileInfo is the
// open file's, for callers that must not read one file twice.
func OpenBounded(path string, max int64, nofollow bool) (*os.File, fs.FileInfo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, err
	}
	if inPseudoRoot(abs) {
		return nil, nil, fmt.Errorf("%s: %w", path, ErrPseudoFile)
	}
	// Where the links lead is checked before the open, so a link to
	// /proc/kmsg is never even opened; the open file is checked again below
	// (a link swapped in between lands on a pseudo file system or a
	// non-regular file, which the descriptor shows).
	if real, err := filepath.EvalSymlinks(abs); err == nil && inPseudoRoot(real) {
		return nil, nil, fmt.Errorf("%s leads to %s: %w", path, real, ErrPseudoFile)
	}
	// The type is checked by name too, before the open: opening a terminal
	// or a modem, even non-blocking, can raise its DTR line.
	stat := os.Stat
	if nofollow {
		stat = os.Lstat
	}
	if fi, err := stat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0 {
		return nil, nil, fmt.Errorf("%s is %s: %w", path, Describe(fi.Mode()), ErrNotRegular)
	}
	var f *os.File
	if nofollow {
		f, err = openNoFollow(path)
	} else {
		f, err = OpenRegular(path)
	}
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is %s: %w", path, Describe(fi.Mode()), ErrNotRegular)
	}
	if err == nil {
		err = checkPseudoFS(f, path)
	}
	if err == nil && fi.Size() > max {
		err = fmt.Errorf("%s has %d bytes, more than %d: %w", path, fi.Size(), max, ErrTooLarge)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// ReadFull reads what is left of f, at most max bytes: a file that grew
// past max after its fstat is refused with ErrTooLarge, not cut short.
func ReadFull(f *os.File, max int64) ([]byte, error) {
	var b []byte
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() <= max {
		b = make([]byte, 0, fi.Size()+1)
	}
	for {
		if int64(len(b)) > max {
			return nil, fmt.Errorf("%s grew past %d bytes: %w", f.Name(), max, ErrTooLarge)
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := f.Read(b[len(b):min(int64(cap(b)), max+1)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			if int64(len(b)) > max {
				return nil, fmt.Errorf("%s grew past %d bytes: %w", f.Name(), max, ErrTooLarge)
			}
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// ReadFile is OpenBounded (links followed) and ReadFull.
func ReadFile(path string, max int64) ([]byte, error) {
	f, _, err := OpenBounded(path, max, false)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadFull(f, max)
}
