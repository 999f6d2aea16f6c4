//go:build !unix

package safefile

import (
	"fmt"
	"io/fs"
	"os"
)

// OpenRegular opens path for reading and refuses anything but a regular
// file. Windows has no FIFOs in the file system; its devices (NUL, CON)
// are refused by the type check.
func OpenRegular(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return regular(f, path)
}

// OpenLog opens path for appending, creating it with perm, and refuses
// anything but a regular file.
func OpenLog(path string, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link; refusing to follow it: %w", path, ErrNotRegular)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, perm)
	if err != nil {
		return nil, err
	}
	return regular(f, path)
}

// OpenStream opens a character device (NUL, CON) for writing, without
// creating or truncating anything.
func OpenStream(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	return stream(f, path)
}

// CheckPrivateDir has no owner and mode bits to check here: the per-user
// cache directory under %LocalAppData% inherits the profile's ACL.
func CheckPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is %s, not a directory: %w", dir, Describe(fi.Mode()), ErrUnsafeDir)
	}
	return nil
}

// openNoFollow opens path for reading and refuses a link in its last
// element (checked by name first: Windows has no O_NOFOLLOW in os).
func openNoFollow(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link; refusing to follow it: %w", path, ErrNotRegular)
	}
	return OpenRegular(path)
}

// CreateExclusive creates path for writing with mode perm, failing if any
// file or link already has that name.
func CreateExclusive(path string, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
}

// OpenDir opens path for listing and refuses anything but a directory.
func OpenDir(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: not a directory: %w", path, ErrNotRegular)
	}
	return f, nil
}
