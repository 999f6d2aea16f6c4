// Package autostart starts traycheck at login, the way each desktop expects:
// an XDG autostart entry on Linux and other Unix desktops
// ($XDG_CONFIG_HOME/autostart/traycheck.desktop), a value under
// HKCU\Software\Microsoft\Windows\CurrentVersion\Run on Windows, and a
// LaunchAgent plist with RunAtLoad on macOS.
//
// A distribution package may install a system-wide XDG entry
// (/etc/xdg/autostart/traycheck.desktop, found through $XDG_CONFIG_DIRS).
// A user entry of the same name overrides it, so with one present Disable
// writes a hidden user entry (HiddenEntry) instead of removing a file, and
// Enable removes that override again.
//
// Entries point at the running binary by the absolute path it was started
// as, symlinks kept (see launchPath). A binary that go run or go test built
// in a temporary directory is refused (ErrNotInstalled). Enable is
// idempotent (it rewrites its own entry, so a moved binary is
// followed); Disable removes only an entry traycheck wrote, never one the
// user made.
package autostart

import (
	"errors"
	"fmt"
	"os"
)

// ErrForeign is returned when an autostart entry that traycheck did not
// write is in the way: Enable will not overwrite it and Disable will not
// remove it.
var ErrForeign = errors.New("autostart: an entry traycheck did not write is in the way")

// ErrNotInstalled is returned by Enable when the running binary is a
// temporary build (go run, go test): an entry would point at a file that is
// deleted when it exits, or that the build cache may evict.
var ErrNotInstalled = errors.New("install traycheck first: go install ./cmd/traycheck, then run autostart enable from the installed binary")

// executable returns the path autostart entries start; tests swap it.
var executable = func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding traycheck's executable: %w", err)
	}
	return launchPath(os.Args[0], exe), nil
}

// Enabled reports whether traycheck starts at login (by traycheck's own
// entry or one the user wrote).
func Enabled() (bool, error) { return enabled() }

// Enable makes traycheck start at login. Enabling twice is harmless.
func Enable() error {
	exe, err := executable()
	if err != nil {
		return err
	}
	if temporaryBuild(exe) {
		return fmt.Errorf("%w (this binary is %s, a temporary build)", ErrNotInstalled, exe)
	}
	return enable(exe)
}

// Disable stops traycheck from starting at login by removing its own entry.
// With no entry it does nothing; with a foreign one it returns ErrForeign.
func Disable() error { return disable() }

// Status says in one line whether traycheck starts at login, from where, and
// which program it starts.
func Status() (string, error) { return status() }
