package tray

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
	"unicode/utf16"
)

// The desktop's own programs the menu hands files and text to. They run
// with argv, never through a shell: a path or a report is one argument or
// standard input, so nothing in it is ever interpreted.

// ErrNoClipboard means no clipboard program could take the text: none is
// installed for this session (no xclip, xsel or wl-copy, no display), or
// each one failed. The caller falls back to showing the file.
var ErrNoClipboard = errors.New("tray: no clipboard available")

// clipboardTimeout bounds one clipboard program: they read standard input
// and hand the selection to a background copy of themselves at once.
const clipboardTimeout = 5 * time.Second

// OpenPath shows path, a file or a folder, with the desktop's opener
// (xdg-open, open, explorer or the file's association on Windows). Only
// xdg-open's exit status means something (explorer exits 1 on success): it
// is waited for openerGrace, and an opener that fails in that time (exit 3:
// no program for the file, 4: the program failed) is an error. One still
// running then is a viewer that stays: it opened.
func OpenPath(ctx context.Context, path string) error { return openWith(ctx, path, false) }

// EditFile opens a text file the user may edit, like OpenPath, except that
// on macOS the text editor opens it rather than the type's own application.
func EditFile(ctx context.Context, path string) error { return openWith(ctx, path, true) }

func openWith(ctx context.Context, path string, asText bool) error {
	// An absolute path can never pass for one of the opener's options.
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	argv := openArgv(runtime.GOOS, abs, asText)
	cmd := exec.CommandContext(context.WithoutCancel(ctx), argv[0], argv[1:]...)
	hideWindow(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("opening %s with %s: %w", abs, argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }() // reap it
	if argv[0] != "xdg-open" {
		return nil
	}
	select {
	case err := <-done:
		if err != nil {
			var ee *exec.ExitError
			why := ""
			if errors.As(err, &ee) {
				why = xdgOpenStatus(ee.ExitCode())
			}
			return fmt.Errorf("no program opened %s (%s: %w%s)", abs, argv[0], err, why)
		}
	case <-time.After(openerGrace):
	}
	return nil
}

// xdgOpenStatus says what xdg-open's documented exit statuses mean.
func xdgOpenStatus(code int) string {
	switch code {
	case 2:
		return ": the file does not exist"
	case 3:
		return ": no program to open it; install a text editor or set a default one"
	case 4:
		return ": the program that should open it failed"
	}
	return ""
}

// openerGrace is how long xdg-open gets to fail: it exits at once when it
// finds no program, and hands over to one within a second when it does.
const openerGrace = 3 * time.Second

// openArgv is the opener's command line for path on goos.
func openArgv(goos, path string, asText bool) []string {
	switch goos {
	case "windows":
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			return []string{"explorer.exe", path}
		}
		// What ShellExecute's "open" does for the file's type, without cmd's
		// `start` (a shell) or a PowerShell script.
		return []string{"rundll32.exe", "url.dll,FileProtocolHandler", path}
	case "darwin":
		if asText {
			return []string{"open", "-t", path}
		}
		return []string{"open", path}
	}
	return []string{"xdg-open", path}
}

// clipTool is one clipboard program and the form it wants the text in.
type clipTool struct {
	argv []string
	env  []string // added to the environment
	// utf16 converts the text to UTF-16LE with a byte-order mark and CRLF
	// line ends: clip.exe reads other input in the console's legacy code
	// page, which garbles anything beyond ASCII.
	utf16 bool
}

// clipboardTools lists, best first, the programs that can set the
// clipboard on goos in a session described by getenv. On Linux a program
// only helps where its display server runs: wl-copy under Wayland, xclip or
// xsel under X11 (XWayland counts).
func clipboardTools(goos string, getenv func(string) string) []clipTool {
	switch goos {
	case "windows":
		return []clipTool{{argv: []string{"clip.exe"}, utf16: true}}
	case "darwin":
		// pbcopy decodes its input by the locale, and an app started by
		// launchd has none: say it is UTF-8.
		return []clipTool{{argv: []string{"pbcopy"}, env: []string{"LANG=en_US.UTF-8"}}}
	}
	var ts []clipTool
	if getenv("WAYLAND_DISPLAY") != "" {
		ts = append(ts, clipTool{argv: []string{"wl-copy", "--type", "text/plain;charset=utf-8"}})
	}
	if getenv("DISPLAY") != "" {
		ts = append(ts, clipTool{argv: []string{"xclip", "-selection", "clipboard", "-in"}},
			clipTool{argv: []string{"xsel", "--clipboard", "--input"}})
	}
	return ts
}

// CopyText puts text on the clipboard with the first clipboard program that
// is installed and takes it, and returns that program's name. The error
// wraps ErrNoClipboard when none did.
func CopyText(ctx context.Context, text []byte) (string, error) {
	var errs []error
	for _, t := range clipboardTools(runtime.GOOS, os.Getenv) {
		path, err := exec.LookPath(t.argv[0])
		if err != nil {
			continue
		}
		if err := runClip(ctx, path, t, text); err != nil {
			errs = append(errs, err)
			continue
		}
		return t.argv[0], nil
	}
	if len(errs) == 0 {
		return "", ErrNoClipboard
	}
	return "", fmt.Errorf("%w: %w", ErrNoClipboard, errors.Join(errs...))
}

func runClip(ctx context.Context, path string, t clipTool, text []byte) error {
	ctx, cancel := context.WithTimeout(ctx, clipboardTimeout)
	defer cancel()
	in := text
	if t.utf16 {
		in = windowsClipText(text)
	}
	cmd := exec.CommandContext(ctx, path, t.argv[1:]...)
	cmd.Stdin = bytes.NewReader(in)
	// Stdout and stderr stay unset (the null device): xclip, xsel and
	// wl-copy leave a background copy of themselves holding the selection,
	// and a pipe it inherited would keep Wait waiting for it.
	if len(t.env) > 0 {
		cmd.Env = append(os.Environ(), t.env...)
	}
	hideWindow(cmd)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", t.argv[0], err)
	}
	return nil
}

// windowsClipText is text as clip.exe takes Unicode: UTF-16LE after a
// byte-order mark, lines ending in CRLF. Invalid UTF-8 becomes U+FFFD.
func windowsClipText(text []byte) []byte {
	s := string(text)
	units := make([]uint16, 0, len(s)+len(s)/32+1)
	units = append(units, 0xFEFF)
	prev := rune(0)
	for _, r := range s {
		if r == '\n' && prev != '\r' {
			units = append(units, '\r')
		}
		units = utf16.AppendRune(units, r)
		prev = r
	}
	out := make([]byte, 2*len(units))
	for i, u := range units {
		out[2*i], out[2*i+1] = byte(u), byte(u>>8)
	}
	return out
}
