package discover

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxFileSize bounds every file discovery reads: a VPN profile with its
// inline certificates is tens of kilobytes.
const maxFileSize = 1 << 20

// Walks of profile directories are bounded so a huge or looping tree
// (~/.config can hold anything) costs little.
const (
	maxWalkDepth = 4
	maxWalkFiles = 256
)

var errNotRegular = errors.New("not a regular file")

// readSource reads a configuration file that another user may have planted or
// replaced: it never blocks on a FIFO or device (openNoBlock), reads only
// regular files, and at most maxFileSize bytes.
func readSource(path string) ([]byte, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, errNotRegular)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxFileSize)
	}
	return b, nil
}

// unreadableNote says why a file could not be read, in the user's terms.
func unreadableNote(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return "not readable by this user (it usually needs root): run `sudo traycheck config discover` to include it"
	}
	return "could not be read: " + err.Error()
}

// findFiles lists files under root (itself a file or a directory) whose names
// end in one of exts, bounded in depth and count, in a stable order. Links to
// directories are not followed, so a loop cannot trap the walk.
func findFiles(root string, exts ...string) []string {
	st, err := os.Stat(root)
	if err != nil {
		return nil
	}
	if !st.IsDir() {
		return []string{root}
	}
	var out []string
	base := strings.Count(filepath.Clean(root), string(filepath.Separator))
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable subdirectory does not end the walk
		}
		if d.IsDir() {
			if strings.Count(filepath.Clean(p), string(filepath.Separator))-base >= maxWalkDepth {
				return filepath.SkipDir
			}
			return nil
		}
		if len(out) >= maxWalkFiles {
			return filepath.SkipAll
		}
		if slices.ContainsFunc(exts, func(e string) bool { return strings.HasSuffix(strings.ToLower(d.Name()), e) }) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// stem is a file's name without its extension: an OpenVPN profile's or a
// WireGuard interface's name.
func stem(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
