package discover

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/traycheck/traycheck/internal/safefile"
)

// budgetGlobEntries bounds the directory entries all include patterns of
// one discovery may look at: `Include /*/*/*/*` would otherwise list much of
// the file system at every start.
const budgetGlobEntries = 50_000

// glob expands pattern as filepath.Glob does, but looks at no more than
// *entries directory entries (counting them down); cut reports that it
// stopped early, so the matches are only part of the pattern's.
func glob(pattern string, entries *int) (matches []string, cut bool, err error) {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, false, err
	}
	if !hasMeta(pattern) {
		if _, err := os.Lstat(pattern); err != nil {
			return nil, false, nil
		}
		return []string{pattern}, false, nil
	}
	vol := filepath.VolumeName(pattern)
	rest := pattern[len(vol):]
	start := "."
	if strings.HasPrefix(rest, string(filepath.Separator)) {
		start = vol + string(filepath.Separator)
	}
	parts := slices.DeleteFunc(strings.Split(rest, string(filepath.Separator)), func(p string) bool { return p == "" })
	cut = globFrom(start, parts, entries, &matches)
	slices.Sort(matches)
	return matches, cut, nil
}

// globFrom adds to out the paths under dir that match parts, depth first
// in name order, so that a cut budget still leaves whole matches.
func globFrom(dir string, parts []string, entries *int, out *[]string) (cut bool) {
	if len(parts) == 0 {
		*out = append(*out, dir)
		return false
	}
	part := parts[0]
	if !hasMeta(part) {
		p := filepath.Join(dir, part)
		if len(parts) == 1 {
			if _, err := os.Lstat(p); err == nil {
				*out = append(*out, p)
			}
			return false
		}
		return globFrom(p, parts[1:], entries, out)
	}
	names, stop := readNames(dir, entries)
	slices.Sort(names)
	for _, n := range names {
		if ok, _ := filepath.Match(part, n); ok && globFrom(filepath.Join(dir, n), parts[1:], entries, out) {
			return true
		}
	}
	return stop
}

// readNames lists dir's entries, at most *entries of them (counted down);
// stop says the budget ran out.
func readNames(dir string, entries *int) (names []string, stop bool) {
	f, err := safefile.OpenDir(dir) // a FIFO in a directory's place cannot block it
	if err != nil {
		return nil, false
	}
	defer f.Close()
	for {
		if *entries <= 0 {
			return names, true
		}
		batch, err := f.Readdirnames(min(*entries, 256))
		*entries -= len(batch)
		names = append(names, batch...)
		if err != nil || len(batch) == 0 {
			return names, false
		}
	}
}

func hasMeta(s string) bool {
	magic := `*?[`
	if filepath.Separator != '\\' {
		magic = `*?[\`
	}
	return strings.ContainsAny(s, magic)
}
