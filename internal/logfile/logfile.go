// Package logfile is a small size-capped, rotating log file for the GUI
// build, which has no console: on Windows traycheck.exe is linked with
// -H=windowsgui, so stderr goes nowhere. Give a Writer to
// slog.NewTextHandler; the files never take more than (Keep+1)×MaxBytes.
package logfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/traycheck/traycheck/internal/safefile"
)

// Defaults for Open: 1 MiB per file, two old files kept.
const (
	DefaultMaxBytes = 1 << 20
	DefaultKeep     = 2
)

// DefaultPath is traycheck.log in the per-user cache directory:
// %LocalAppData%\traycheck on Windows, ~/Library/Caches/traycheck on macOS,
// $XDG_CACHE_HOME/traycheck on Linux.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the log directory: %w", err)
	}
	return filepath.Join(dir, "traycheck", "traycheck.log"), nil
}

// Writer appends to a log file and rotates it before a write would take it
// past MaxBytes: path becomes path.1, path.1 becomes path.2, up to Keep old
// files; the oldest is removed. It is safe for concurrent use.
type Writer struct {
	path     string
	maxBytes int64
	keep     int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// Open opens (creating it and its directory, private to the user) the log
// at path. maxBytes <= 0 means DefaultMaxBytes; keep < 0 means DefaultKeep.
//
// The directory must be ours and writable by nobody else, and the log a
// regular file of ours that is not a link (safefile.OpenLog): otherwise a
// link planted by the directory's owner would make traycheck, run as root
// under sudo -E, append to or create any file. The error then says why, and
// the caller logs to stderr instead.
func Open(path string, maxBytes int64, keep int) (*Writer, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if keep < 0 {
		keep = DefaultKeep
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating log directory: %w", err)
	}
	if err := safefile.CheckPrivateDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("refusing the log directory: %w", err)
	}
	w := &Writer{path: path, maxBytes: maxBytes, keep: keep}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	f, err := safefile.OpenLog(w.path, 0o600)
	if err != nil {
		return fmt.Errorf("opening log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("opening log: %w", err)
	}
	w.f, w.size = f, st.Size()
	return nil
}

// Write appends p, rotating first if p would not fit. A single record
// longer than MaxBytes is cut to MaxBytes so the cap holds.
func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	if int64(len(p)) > w.maxBytes {
		p = p[:w.maxBytes]
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return 0, errors.New("log file closed")
	}
	if w.size > 0 && w.size+int64(len(p)) > w.maxBytes {
		if err := w.rotate(); err != nil {
			return 0, err
		}
	}
	m, err := w.f.Write(p)
	w.size += int64(m)
	if err != nil {
		return m, fmt.Errorf("writing log: %w", err)
	}
	return n, nil
}

// rotate shifts the old files up by one and starts an empty log. Windows
// cannot rename an open file, so the current one is closed first.
func (w *Writer) rotate() error {
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("rotating log: %w", err)
	}
	w.f = nil
	if w.keep == 0 {
		if err := os.Remove(w.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("rotating log: %w", err)
		}
	} else {
		os.Remove(w.old(w.keep))
		for i := w.keep - 1; i >= 1; i-- {
			if err := os.Rename(w.old(i), w.old(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("rotating log: %w", err)
			}
		}
		if err := os.Rename(w.path, w.old(1)); err != nil {
			return fmt.Errorf("rotating log: %w", err)
		}
	}
	return w.open()
}

func (w *Writer) old(i int) string { return w.path + "." + strconv.Itoa(i) }

// Close closes the file. Writes after Close fail.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
