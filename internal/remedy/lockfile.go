package remedy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
	"github.com/traycheck/traycheck/internal/vpnport/serial"
)

// lockTarget is the lock file a remove-lock acts on; only UUCP device locks
// qualify: the finding travels through the watch loop and a request must
// never turn into deleting an arbitrary file.
func lockTarget(f diagnose.Finding) (*vpnport.LockFile, error) {
	lk := f.Lock
	if lk == nil || lk.Path == "" {
		return nil, fmt.Errorf("%w: %s has no lock file", ErrRefused, f.Resource)
	}
	if !filepath.IsAbs(lk.Path) || !isLockName(filepath.Base(lk.Path)) {
		return nil, fmt.Errorf("%w: %s is not a device lock file (LCK..name or LK.nnn.nnn.nnn)", ErrRefused, lk.Path)
	}
	return lk, nil
}

func (r *Runner) removeLock(req Request) (Result, error) {
	lk, err := lockTarget(req.Finding)
	if err != nil {
		return Result{}, err
	}
	f, err := openLockFile(lk.Path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Result{Message: fmt.Sprintf("lock file %s is already gone; checking again", lk.Path)}, nil
		}
		if errors.Is(err, syscall.ELOOP) {
			return Result{}, fmt.Errorf("%w: %s is a symbolic link, not a lock file", ErrRefused, lk.Path)
		}
		return Result{}, fmt.Errorf("reading lock file: %w", err)
	}
	// The file is closed before it is removed: Windows refuses to delete a
	// file while a handle opened without FILE_SHARE_DELETE (os.Open's) is
	// open on it. The Lstat below still ties the name to the file read.
	before, b, err := readLockFile(f, lk.Path)
	f.Close()
	if err != nil {
		return Result{}, err
	}
	pid, err := serial.ParseUUCPLock(b)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s: %w", ErrRefused, lk.Path, err)
	}
	if pid != lk.PID {
		return Result{}, fmt.Errorf("%w: %s now names PID %d, not %d: the file changed; check again", ErrRefused, lk.Path, pid, lk.PID)
	}
	if r.o.Alive(pid) {
		return Result{}, fmt.Errorf("%w: PID %d in %s is alive, so the lock is not stale", ErrRefused, pid, lk.Path)
	}
	// Lstat, not Stat: a symlink swapped in under the same name is a
	// different file and is refused.
	now, err := os.Lstat(lk.Path)
	if err != nil || !os.SameFile(before, now) || now.ModTime() != before.ModTime() {
		return Result{}, fmt.Errorf("%w: %s changed while it was being checked; check again", ErrRefused, lk.Path)
	}
	if err := os.Remove(lk.Path); err != nil {
		return Result{}, fmt.Errorf("removing stale lock file: %w", err)
	}
	r.log.Info("removed stale lock file", "path", lk.Path, "pid", pid)
	return Result{Message: fmt.Sprintf("removed stale lock file %s; checking again", lk.Path)}, nil
}

// svr4LockName is lockdev's and pppd's SVR4 lock name, LK.<file system
// major>.<major>.<minor>, which the probe also reports.
var svr4LockName = regexp.MustCompile(`^LK\.\d{3,10}\.\d{3,10}\.\d{3,10}$`)

// isLockName reports whether name is a UUCP device lock's name.
func isLockName(name string) bool {
	return strings.HasPrefix(name, "LCK..") || svr4LockName.MatchString(name)
}

// readLockFile returns what f is and holds, refusing anything but a regular
// file.
func readLockFile(f *os.File, path string) (os.FileInfo, []byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("reading lock file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%w: %s is not a regular file", ErrRefused, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, serial.MaxUUCPLockSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading lock file: %w", err)
	}
	return fi, b, nil
}
