//go:build !windows && !darwin

package autostart

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// entryPath is $XDG_CONFIG_HOME/autostart/traycheck.desktop (os.UserConfigDir
// falls back to ~/.config).
func entryPath() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the config directory: %w", err)
	}
	return filepath.Join(d, "autostart", "traycheck.desktop"), nil
}

// systemEntry finds the system-wide entry a distribution package installs
// (/etc/xdg/autostart/traycheck.desktop): the first
// autostart/traycheck.desktop in $XDG_CONFIG_DIRS (default /etc/xdg), as
// the session manager looks for it. path is "" when there is none.
func systemEntry() (path string, on bool, exec string) {
	dirs := os.Getenv("XDG_CONFIG_DIRS")
	if dirs == "" {
		dirs = "/etc/xdg"
	}
	for _, d := range filepath.SplitList(dirs) {
		if !filepath.IsAbs(d) {
			continue // the spec ignores relative entries
		}
		p := filepath.Join(d, "autostart", "traycheck.desktop")
		if b, err := os.ReadFile(p); err == nil {
			_, on, exec := entryState(b)
			return p, on && tryExecFound(desktopKeys(b)["TryExec"]), exec
		}
	}
	return "", false, ""
}

// tryExecFound reports whether an entry's TryExec program exists: the
// session skips an entry whose TryExec is missing (the package's entry,
// left behind as a conffile after `apt remove`), so it starts nothing.
func tryExecFound(v string) bool {
	if v == "" {
		return true
	}
	if filepath.IsAbs(v) {
		_, err := os.Stat(v)
		return err == nil
	}
	_, err := exec.LookPath(v)
	return err == nil
}

func readEntry() (path string, b []byte, err error) {
	path, err = entryPath()
	if err != nil {
		return "", nil, err
	}
	b, err = os.ReadFile(path)
	return path, b, err
}

func enabled() (bool, error) {
	_, b, err := readEntry()
	if errors.Is(err, os.ErrNotExist) {
		_, on, _ := systemEntry()
		return on, nil
	}
	if err != nil {
		return false, err
	}
	_, on, _ := entryState(b)
	return on, nil
}

func enable(exe string) error {
	path, b, err := readEntry()
	if err == nil {
		if ours, _, _ := entryState(b); !ours {
			return fmt.Errorf("%w: %s (remove it, or keep using it)", ErrForeign, path)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, on, _ := systemEntry(); on {
		// The package's entry starts traycheck: enabling is taking away
		// our override that hid it.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", path, err)
		}
		return nil
	}
	entry, err := DesktopEntry(exe)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	return writeAtomic(path, entry)
}

func disable() error {
	path, b, err := readEntry()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err == nil {
		if ours, _, _ := entryState(b); !ours {
			return fmt.Errorf("%w: %s", ErrForeign, path)
		}
	}
	if _, on, _ := systemEntry(); on {
		// A user entry of the same name overrides the system one (XDG
		// autostart spec); a hidden one switches it off for this user only.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
		}
		return writeAtomic(path, HiddenEntry())
	}
	if err != nil {
		return nil // no entry anywhere
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

func status() (string, error) {
	path, b, err := readEntry()
	if errors.Is(err, os.ErrNotExist) {
		if sys, on, exec := systemEntry(); sys != "" {
			if on {
				return fmt.Sprintf("enabled: %s (installed with the package, for every user) runs Exec=%s", sys, exec), nil
			}
			return fmt.Sprintf("disabled: %s (installed with the package) is switched off in that file", sys), nil
		}
		return "disabled: traycheck does not start at login (no " + path + ")", nil
	}
	if err != nil {
		return "", err
	}
	ours, on, exec := entryState(b)
	state := "disabled"
	if on {
		state = "enabled"
	}
	who := "written by traycheck"
	if !ours {
		who = "not written by traycheck"
	}
	return fmt.Sprintf("%s: %s (%s) runs Exec=%s", state, path, who, exec), nil
}

// writeAtomic replaces path with b so that a crash never leaves half an
// entry for the session manager to choke on.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".traycheck-*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
