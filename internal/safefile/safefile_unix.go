//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// open opens path with O_NONBLOCK (so neither a FIFO without a peer nor a
// device can hang the open, and the first read of a FIFO cannot either),
// O_NOCTTY (a terminal never becomes ours) and O_CLOEXEC.
func open(path string, flags int, perm uint32) (*os.File, error) {
	for {
		fd, err := unix.Open(path, flags|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, perm)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// OpenRegular opens path for reading, following links, and refuses
// anything but a regular file (a FIFO, /dev/zero, a directory) with an
// error that wraps ErrNotRegular. Reads of the file do not block.
func OpenRegular(path string) (*os.File, error) {
	f, err := open(path, unix.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	return regular(f, path)
}

// OpenLog opens (creating it with mode perm) the file at path for
// appending, never following a link in its last element, and refuses it
// unless it is a regular file of ours with a single name: a planted link,
// FIFO or hard link cannot point the writes somewhere else.
func OpenLog(path string, perm os.FileMode) (*os.File, error) {
	f, err := open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_APPEND|unix.O_NOFOLLOW, uint32(perm.Perm()))
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("%s is a symbolic link; refusing to follow it: %w", path, ErrNotRegular)
		}
		if errors.Is(err, unix.ENXIO) {
			return nil, fmt.Errorf("%s is a named pipe (FIFO): %w", path, ErrNotRegular)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("%s is %s: %w", path, Describe(fi.Mode()), ErrNotRegular)
	case st != nil && int(st.Uid) != os.Geteuid():
		err = fmt.Errorf("%s belongs to UID %d, not to UID %d: %w", path, st.Uid, os.Geteuid(), ErrNotRegular)
	case st != nil && st.Nlink > 1:
		err = fmt.Errorf("%s has %d names (hard links); want a file of its own: %w", path, st.Nlink, ErrNotRegular)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenStream opens path for writing, following links, without creating or
// truncating anything, and accepts only a character device (/dev/null, a
// terminal) or a FIFO with a reader. Anything else, a regular file reached
// through a link included, is refused with an error wrapping ErrNotStream.
func OpenStream(path string) (*os.File, error) {
	f, err := open(path, unix.O_WRONLY, 0)
	if err != nil {
		if errors.Is(err, unix.ENXIO) {
			return nil, fmt.Errorf("%s is a named pipe (FIFO) that nobody reads: %w", path, err)
		}
		return nil, err
	}
	return stream(f, path)
}

// CheckPrivateDir refuses dir unless it is a real directory (not a link)
// owned by this process's effective user and writable by nobody else: in a
// directory another user can write, that user can plant links and swap
// files between traycheck's checks and its writes.
func CheckPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is %s, not a directory: %w", dir, Describe(fi.Mode()), ErrUnsafeDir)
	case ok && int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%s belongs to UID %d, not to UID %d (traycheck runs as another user than the directory's owner, e.g. under sudo): %w",
			dir, st.Uid, os.Geteuid(), ErrUnsafeDir)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s has mode %v, writable by others: %w", dir, fi.Mode().Perm(), ErrUnsafeDir)
	}
	return nil
}

// openNoFollow opens path for reading as OpenRegular does, but refuses a
// symbolic link in its last element (ELOOP) instead of following it.
func openNoFollow(path string) (*os.File, error) {
	f, err := open(path, unix.O_RDONLY|unix.O_NOFOLLOW, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link; refusing to follow it: %w", path, ErrNotRegular)
	}
	if err != nil {
		return nil, err
	}
	return regular(f, path)
}

// CreateExclusive creates path for writing with mode perm, failing if any
// file or link already has that name (O_EXCL: a link planted there is not
// followed, O_NOFOLLOW says so twice). What the caller writes lands in a
// file only it created.
func CreateExclusive(path string, perm os.FileMode) (*os.File, error) {
	return open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW, uint32(perm.Perm()))
}

// OpenDir opens path for listing and refuses anything but a directory
// without opening it for reading: a FIFO named where a directory was
// expected fails (O_DIRECTORY) instead of blocking the open.
func OpenDir(path string) (*os.File, error) {
	return open(path, unix.O_RDONLY|unix.O_DIRECTORY, 0)
}
