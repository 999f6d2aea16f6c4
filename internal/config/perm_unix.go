//go:build unix

package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// maxLinkHops bounds the symlink chain followed by hand, like the kernel's
// own limit of 40.
const maxLinkHops = 40

// checkPrivate refuses a config file that someone other than this user (or
// root) could change: the file itself, or any directory on the way to it
// in which the file or a parent could be swapped (the check OpenSSH's
// StrictModes makes). A reconnect command in such a file would run whatever
// another user wrote, as this user.
//
// A symlinked config is checked on both sides: the real file and every
// directory above it (that is what is read), and every link on the way with
// the directories above it (whoever can replace a link decides what is
// read next time).
func checkPrivate(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	links, err := linkChain(abs)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	fi, err := os.Stat(real)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	what, name := "file", path
	if len(links) > 0 {
		what, name = "file "+real+" (the config links to it)", real
	}
	if e := unsafeOwner(path, name, fi, what, "600"); e != nil {
		return e
	}
	seen := map[string]bool{}
	for _, l := range links {
		li, err := os.Lstat(l)
		if err != nil {
			return &Error{File: path, Msg: "cannot check the permissions of " + l + ": " + err.Error(), Err: err}
		}
		// A link's own mode means nothing; its owner can point it anywhere.
		if e := otherOwner(path, li, "symlink "+l); e != nil {
			return e
		}
		if e := checkDirs(path, filepath.Dir(l), seen); e != nil {
			return e
		}
	}
	if e := checkDirs(path, filepath.Dir(real), seen); e != nil {
		return e
	}
	return nil
}

// linkChain returns the symlinks met when opening abs: abs itself if it is
// one, then each link it leads to, in order.
func linkChain(abs string) ([]string, error) {
	var links []string
	p := abs
	for range maxLinkHops {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return links, nil
		}
		links = append(links, p)
		target, err := os.Readlink(p)
		if err != nil {
			return nil, err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = filepath.Clean(target)
	}
	return nil, fmt.Errorf("%s: too many levels of symbolic links", abs)
}

// checkDirs checks dir and every directory above it, skipping those in seen.
func checkDirs(path, dir string, seen map[string]bool) *Error {
	for ; ; dir = filepath.Dir(dir) {
		if !seen[dir] {
			seen[dir] = true
			di, err := os.Stat(dir)
			if err != nil {
				return &Error{File: path, Msg: "cannot check the permissions of " + dir + ": " + err.Error(), Err: err}
			}
			if e := unsafeOwner(path, dir, di, "directory "+dir, "go-w"); e != nil {
				return e
			}
		}
		if parent := filepath.Dir(dir); parent == dir {
			return nil
		}
	}
}

// unsafeOwner explains why another user could change name (described as
// what), or returns nil.
func unsafeOwner(path, name string, fi fs.FileInfo, what, fix string) *Error {
	if e := otherOwner(path, fi, what); e != nil {
		return e
	}
	perm := fi.Mode().Perm()
	// A sticky directory (like /tmp) lets others add entries but not
	// replace ours, so only write bits without the sticky bit are a risk.
	if perm&0o022 != 0 && !(fi.IsDir() && fi.Mode()&fs.ModeSticky != 0) {
		return &Error{File: path, Msg: fmt.Sprintf(
			"refusing the reconnect command: the %s is writable by group or others (mode %04o), so another user could make traycheck run any command as you; fix: chmod %s %s",
			what, perm, fix, name)}
	}
	return nil
}

// otherOwner refuses what fi describes when it belongs to a user other than
// this one or root.
func otherOwner(path string, fi fs.FileInfo, what string) *Error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := int(st.Uid); uid != os.Geteuid() && uid != 0 {
			return &Error{File: path, Msg: fmt.Sprintf(
				"refusing the reconnect command: the %s belongs to another user (uid %d), who could make traycheck run any command as you; move the config somewhere you own",
				what, uid)}
		}
	}
	return nil
}
