package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/traycheck/traycheck/internal/safefile"
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
// end in one of exts, bounded in depth, matches and entries looked at (a
// directory is listed in batches, so one with a million entries costs no
// more than the bound), in name order; where a bound cut the walk short,
// skipped says so. Links to directories are not followed, so a loop cannot
// trap the walk. A FIFO or device with a profile's name is listed: reading
// refuses it by type, and the user learns of it.
func findFiles(root string, exts ...string) (out []string, skipped []Skip) {
	st, err := os.Stat(root) // stat opens nothing: a FIFO cannot block it
	if err != nil {
		return nil, nil
	}
	if !st.IsDir() {
		return []string{root}, nil
	}
	left := maxWalkEntries
	var walk func(dir string, depth int) bool
	walk = func(dir string, depth int) bool {
		ents, cut := readDirBounded(dir, &left)
		for _, e := range ents {
			p := filepath.Join(dir, e.Name())
			if e.IsDir() {
				if depth+1 < maxWalkDepth && !walk(p, depth+1) {
					return false
				}
				continue
			}
			if !slices.ContainsFunc(exts, func(x string) bool { return strings.HasSuffix(strings.ToLower(e.Name()), x) }) {
				continue
			}
			if len(out) >= maxWalkFiles {
				skipped = append(skipped, Skip{Where: root, Why: fmt.Sprintf("more than %d profiles: %s and what follows it were not read", maxWalkFiles, p)})
				return false
			}
			out = append(out, p)
		}
		if cut {
			skipped = append(skipped, Skip{Where: root, Why: fmt.Sprintf("more than %d entries: the search stopped in %s", maxWalkEntries, dir)})
			return false
		}
		return true
	}
	walk(root, 0)
	return out, skipped
}

// readDirBounded lists dir in name order, at most *left entries (counted
// down); cut says entries were left unread. An unreadable directory is
// empty: it does not end the walk.
func readDirBounded(dir string, left *int) (ents []fs.DirEntry, cut bool) {
	f, err := safefile.OpenDir(dir)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	for {
		if *left <= 0 {
			more, _ := f.ReadDir(1)
			cut = len(more) > 0
			break
		}
		batch, err := f.ReadDir(min(*left, 256))
		*left -= len(batch)
		ents = append(ents, batch...)
		if err != nil || len(batch) == 0 {
			break
		}
	}
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return ents, cut
}

// stem is a file's name without its extension: an OpenVPN profile's or a
// WireGuard interface's name.
func stem(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
