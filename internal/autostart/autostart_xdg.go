//go:build !windows && !darwin

package autostart

import (
	"errors"
	"fmt"
	"os"
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
		return false, nil
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
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if ours, _, _ := entryState(b); !ours {
		return fmt.Errorf("%w: %s", ErrForeign, path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

func status() (string, error) {
	path, b, err := readEntry()
	if errors.Is(err, os.ErrNotExist) {
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
