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
// root) could change: a writable file or a directory where the file could
// be swapped. A reconnect command in such a file would run whatever another
// user wrote, as this user.
func checkPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config's permissions: " + err.Error(), Err: err}
	}
	if e := unsafeOwner(path, fi, "file", "600"); e != nil {
		return e
	}
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	if err != nil {
		return &Error{File: path, Msg: "cannot check the config directory's permissions: " + err.Error(), Err: err}
	}
	if e := unsafeOwner(path, di, "directory "+dir, "700"); e != nil {
		return e
	}
	return nil
}

func unsafeOwner(path string, fi fs.FileInfo, what, mode string) *Error {
	name := path
	if fi.IsDir() {
		name = filepath.Dir(path)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := int(st.Uid); uid != os.Geteuid() && uid != 0 {
			return &Error{File: path, Msg: fmt.Sprintf(
				"refusing the reconnect command: the %s belongs to another user (uid %d), who could make traycheck run any command as you; fix: sudo chown %d %s",
				what, uid, os.Geteuid(), name)}
		}
	}
	perm := fi.Mode().Perm()
	// A sticky directory (like /tmp) lets others add files but not replace
	// ours, so only its write bits without the sticky bit are a risk.
	if perm&0o022 != 0 && !(fi.IsDir() && fi.Mode()&fs.ModeSticky != 0) {
		return &Error{File: path, Msg: fmt.Sprintf(
			"refusing the reconnect command: the %s is writable by group or others (mode %04o), so another user could make traycheck run any command as you; fix: chmod %s %s",
			what, perm, mode, name)}
	}
	return nil
}
