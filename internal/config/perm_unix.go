//go:build unix

package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// checkPrivate refuses a config file that someone other than this user (or
// root) could change: the file itself, or any directory on the way to it
// in which the file or a parent could be swapped (the check OpenSSH's
// StrictModes makes). A reconnect command in such a file would run whatever
// another user wrote, as this user.
func checkPrivate(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	if e := unsafeOwner(path, path, fi, "file", "600"); e != nil {
		return e
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		di, err := os.Stat(dir)
		if err != nil {
			return &Error{File: path, Msg: "cannot check the permissions of " + dir + ": " + err.Error(), Err: err}
		}
		if e := unsafeOwner(path, dir, di, "directory "+dir, "go-w"); e != nil {
			return e
		}
		if parent := filepath.Dir(dir); parent == dir {
			return nil
		}
	}
}

// unsafeOwner explains why another user could change name (described as
// what), or returns nil.
func unsafeOwner(path, name string, fi fs.FileInfo, what, fix string) *Error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := int(st.Uid); uid != os.Geteuid() && uid != 0 {
			return &Error{File: path, Msg: fmt.Sprintf(
				"refusing the reconnect command: the %s belongs to another user (uid %d), who could make traycheck run any command as you; move the config somewhere you own",
				what, uid)}
		}
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
