package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// launchPath picks the path an autostart entry starts: the one traycheck was
// started as (args0, made absolute, looked up in PATH when it is a bare
// name) when that is the running binary exe, else exe.
//
// The started-as path keeps its symlinks on purpose. Package managers put a
// stable link in PATH and the binary in a versioned directory
// (/opt/homebrew/bin/traycheck -> ../Cellar/traycheck/1.2/bin/traycheck, a
// Nix profile -> /nix/store/...-traycheck-1.2): an entry naming the link
// keeps working after an upgrade removes the old version. On Linux
// os.Executable has already resolved every link, so exe alone cannot give
// this.
func launchPath(args0, exe string) string {
	var cand string
	var err error
	if strings.ContainsRune(args0, os.PathSeparator) || strings.ContainsRune(args0, '/') {
		cand, err = filepath.Abs(args0)
	} else {
		cand, err = exec.LookPath(args0)
		if err == nil {
			cand, err = filepath.Abs(cand)
		}
	}
	if err != nil {
		return exe
	}
	a, errA := os.Stat(cand)
	b, errB := os.Stat(exe)
	if errA != nil || errB != nil || !os.SameFile(a, b) {
		// args0 is whatever the parent chose to pass: believe it only when
		// it leads to the very file that runs.
		return exe
	}
	return cand
}

// temporaryBuild reports whether exe, or the file it links to, is a build
// that will not be there at the next login: under the temporary directory
// (go run builds in $TMPDIR/go-build*/b001/exe/) or in the Go build cache
// (go run caches binaries there since Go 1.24; its default directory is
// named go-build, a custom one is $GOCACHE).
func temporaryBuild(exe string) bool {
	paths := []string{exe}
	if real, err := filepath.EvalSymlinks(exe); err == nil && real != exe {
		paths = append(paths, real)
	}
	dirs := []string{os.TempDir()}
	if c := os.Getenv("GOCACHE"); filepath.IsAbs(c) {
		dirs = append(dirs, c)
	}
	for _, p := range paths {
		for _, el := range strings.Split(filepath.ToSlash(p), "/") {
			if strings.HasPrefix(el, "go-build") {
				return true
			}
		}
		for _, d := range dirs {
			if within(p, d) {
				return true
			}
		}
	}
	return false
}

// within reports whether path lies inside dir, also when dir is reached
// through a symlink (macOS's $TMPDIR /var/folders/... is
// /private/var/folders/...).
func within(path, dir string) bool {
	ds := []string{filepath.Clean(dir)}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		ds = append(ds, real)
	}
	for _, d := range ds {
		rel, err := filepath.Rel(d, path)
		if err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return true
		}
	}
	return false
}
