package report

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
)

// ForCurrentUser returns a Redactor for the user running traycheck. Without
// a user name or home (a bare container) it still redacts other users'
// homes and every holder's user name.
func ForCurrentUser(full bool) *Redactor {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	home, _ := os.UserHomeDir()
	return NewRedactor(name, home, full)
}

// DefaultPath is where the tray's "Copy diagnostics" writes the report:
// traycheck-report.txt in the per-user cache directory, next to the log. It
// creates the directory (private to the user) so WriteFile can follow.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the report directory: %w", err)
	}
	dir = filepath.Join(dir, "traycheck")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the report directory: %w", err)
	}
	return filepath.Join(dir, "traycheck-report.txt"), nil
}
