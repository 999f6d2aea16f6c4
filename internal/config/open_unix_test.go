//go:build !windows

package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

func withOpener(t *testing.T, argv ...string) {
	old := openerArgv
	openerArgv = func(_, path string) []string { return append(append([]string{}, argv...), path) }
	t.Cleanup(func() { openerArgv = old })
}

// OpenFile trusts the opener's exit status, never its start: a missing
// opener and a failing one are errors naming the path; one still running
// after the grace period (a foreground handler) has opened the file.
func TestOpenFileReportsTheOpenersVerdict(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte("# x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	withOpener(t, "traycheck-no-such-opener")
	var oe *OpenError
	if err := OpenFile(ctx, p); !errors.As(err, &oe) || oe.Path != p || !strings.Contains(err.Error(), "open it by hand: "+p) ||
		!strings.Contains(err.Error(), "not installed") {
		t.Errorf("missing opener: %v", err)
	}

	withOpener(t, testenv.LookPath(t, "false"))
	if err := OpenFile(ctx, p); !errors.As(err, &oe) || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("failing opener: %v", err)
	}

	withOpener(t, testenv.LookPath(t, "true"))
	if err := OpenFile(ctx, p); err != nil {
		t.Errorf("opener that exits 0: %v", err)
	}

	old := openGrace
	openGrace = 200 * time.Millisecond
	t.Cleanup(func() { openGrace = old })
	withOpener(t, testenv.LookPath(t, "sh"), "-c", "sleep 2")
	if err := OpenFile(ctx, p); err != nil {
		t.Errorf("opener still running (a foreground editor): %v", err)
	}
}

// The real xdg-open in a session with no handler for the file (no desktop,
// no browser, no MIME database): it exits 3, and OpenFile says so with the
// path instead of "opened the config".
func TestOpenFileRealXDGOpenWithoutHandler(t *testing.T) {
	xdg := testenv.LookPath(t, "xdg-open")
	dir := t.TempDir()
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte("# x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"HOME": dir, "XDG_DATA_DIRS": filepath.Join(dir, "none"), "XDG_DATA_HOME": filepath.Join(dir, "none"),
		"XDG_CONFIG_HOME": filepath.Join(dir, "cfg"), "XDG_CONFIG_DIRS": filepath.Join(dir, "none"), "PATH": "/usr/bin:/bin",
		"DISPLAY": "", "WAYLAND_DISPLAY": "", "BROWSER": "", "XDG_CURRENT_DESKTOP": "", "DESKTOP_SESSION": "", "KDE_FULL_SESSION": "", "GNOME_DESKTOP_SESSION_ID": ""} {
		t.Setenv(k, v)
	}
	withOpener(t, xdg)
	err := OpenFile(context.Background(), p)
	var oe *OpenError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "open it by hand: "+p) {
		t.Fatalf("xdg-open without a handler: %v", err)
	}
}
