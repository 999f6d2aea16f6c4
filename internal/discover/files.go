package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Walks of profile directories are bounded so a huge or looping tree
// (~/.config can hold anything) costs little.
const (
	maxWalkDepth   = 4
	maxWalkFiles   = 256
	maxWalkEntries = 20000
)

// unreadableNote says why a file could not be read, in the user's terms.
func unreadableNote(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return why(err)
	}
	return "could not be read: " + err.Error()
}

// findFiles lists files under root (itself a file or a directory) whose names
// end in one of exts, bounded in depth, matches and entries looked at, in a
// stable order; where a bound cut the walk short, skipped says so. Links to
// directories are not followed, so a loop cannot trap the walk. A FIFO or
// device with a profile's name is listed: reading refuses it by type, and the
// user learns of it.
func findFiles(root string, exts ...string) (out []string, skipped []Skip) {
	st, err := os.Stat(root) // stat opens nothing: a FIFO cannot block it
	if err != nil {
		return nil, nil
	}
	if !st.IsDir() {
		return []string{root}, nil
	}
	base := strings.Count(filepath.Clean(root), string(filepath.Separator))
	entries := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable subdirectory does not end the walk
		}
		if entries++; entries > maxWalkEntries {
			skipped = append(skipped, Skip{Where: root, Why: fmt.Sprintf("more than %d entries: the rest of the directory was not searched", maxWalkEntries)})
			return filepath.SkipAll
		}
		if d.IsDir() {
			if strings.Count(filepath.Clean(p), string(filepath.Separator))-base >= maxWalkDepth {
				return filepath.SkipDir
			}
			return nil
		}
		if slices.ContainsFunc(exts, func(e string) bool { return strings.HasSuffix(strings.ToLower(d.Name()), e) }) {
			if len(out) >= maxWalkFiles {
				skipped = append(skipped, Skip{Where: root, Why: fmt.Sprintf("more than %d profiles: %s and what follows it were not read", maxWalkFiles, p)})
				return filepath.SkipAll
			}
			out = append(out, p)
		}
		return nil
	})
	return out, skipped
}

// stem is a file's name without its extension: an OpenVPN profile's or a
// WireGuard interface's name.
func stem(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
