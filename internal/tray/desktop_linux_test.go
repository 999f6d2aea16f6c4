package tray

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// fakeOpener puts an xdg-open on PATH that writes its arguments, one per
// line, to the returned file: the real one would start a viewer nobody
// closes.
func fakeOpener(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rec := filepath.Join(dir, "argv")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + rec + ".tmp' && mv '" + rec + ".tmp' '" + rec + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+":"+os.Getenv("PATH"))
	return rec
}

// A path full of shell syntax reaches the opener as one argument, made
// absolute so it cannot pass for an option.
func TestOpenPathArgvOnly(t *testing.T) {
	rec := fakeOpener(t)
	dir := t.TempDir()
	t.Chdir(dir)
	name := "-x $(touch pwned); `id` 'a b'.log"
	if err := OpenPath(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	var got []byte
	waitFor(t, "the opener to run", func() bool {
		var err error
		got, err = os.ReadFile(rec)
		return err == nil
	})
	if want := filepath.Join(dir, name) + "\n"; string(got) != want {
		t.Errorf("xdg-open got %q, want the one argument %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("a shell ran the path")
	}
}

// CopyText under the session's X display: the clipboard then holds exactly
// the text, as another program reads it back.
func TestCopyTextX11(t *testing.T) {
	testenv.Env(t, "DISPLAY")
	xclip := testenv.LookPath(t, "xclip")
	t.Setenv("WAYLAND_DISPLAY", "")
	text := "traycheck diagnostic report\nudp/1194: other-app — held by socat\n"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tool, err := CopyText(ctx, []byte(text))
	if err != nil || tool != "xclip" {
		t.Fatalf("CopyText: %q, %v; want xclip", tool, err)
	}
	out, err := exec.CommandContext(ctx, xclip, "-o", "-selection", "clipboard").Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != text {
		t.Errorf("clipboard holds %q, want %q", out, text)
	}
}

// Without a display no clipboard program can work: CopyText says so
// instead of trying.
func TestCopyTextNoDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	tool, err := CopyText(context.Background(), []byte("x"))
	if !errors.Is(err, ErrNoClipboard) || tool != "" {
		t.Errorf("CopyText without a display: %q, %v; want ErrNoClipboard", tool, err)
	}
	// A display that is not there: xclip fails, and the error says which.
	if _, err := exec.LookPath("xclip"); err == nil {
		t.Setenv("DISPLAY", ":999")
		_, err := CopyText(context.Background(), []byte("x"))
		if !errors.Is(err, ErrNoClipboard) || !strings.Contains(err.Error(), "xclip") {
			t.Errorf("CopyText on a dead display: %v; want ErrNoClipboard naming xclip", err)
		}
	}
}

// The real xdg-open in a session with no handler for the file (no desktop,
// no browser, no MIME database) exits 3: "Open config" must say so, with
// what it means, instead of logging "opened the config".
func TestEditFileRealXDGOpenWithoutHandler(t *testing.T) {
	testenv.LookPath(t, "xdg-open")
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
	err := EditFile(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "no program to open it") ||
		!strings.Contains(err.Error(), p) {
		t.Fatalf("xdg-open without a handler: %v", err)
	}
}
