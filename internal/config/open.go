package config

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// OpenError is why the config file could not be opened for the user; it
// carries the path so the tray can say "open it by hand: PATH".
type OpenError struct {
	Path   string
	Opener string // the program that was asked ("xdg-open")
	Err    error
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("could not open %s: %s: %v; open it by hand: %s", e.Path, e.Opener, e.Err, e.Path)
}

func (e *OpenError) Unwrap() error { return e.Err }

// openGrace is how long OpenFile waits for the opener's verdict. xdg-open
// and open(1) hand the file to a program and exit at once, with a status
// that says whether anything took it; an opener still running after this
// is a handler xdg-open runs in the foreground (a text editor, a browser),
// which means the file is open.
var openGrace = 5 * time.Second

// openerArgv is the OS opener's command line for path (as text where the
// OS can say so); tests point it at other programs.
var openerArgv = func(goos, path string) []string {
	switch goos {
	case "windows":
		return []string{"rundll32.exe", "url.dll,FileProtocolHandler", path}
	case "darwin":
		return []string{"open", "-t", path}
	}
	return []string{"xdg-open", path}
}

// OpenFile opens path in the user's editor through the OS opener and
// reports failure from its exit status, never assuming success: a missing
// opener, or one that finds no program for the file (xdg-open's status 3 in
// a session without a handler), is an *OpenError naming the path.
func OpenFile(ctx context.Context, path string) error {
	// An absolute path can never pass for one of the opener's options.
	abs, err := filepath.Abs(path)
	if err != nil {
		return &OpenError{Path: path, Opener: "opener", Err: err}
	}
	argv := openerArgv(runtime.GOOS, abs)
	cmd := exec.CommandContext(context.WithoutCancel(ctx), argv[0], argv[1:]...)
	hideOpenerWindow(cmd)
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			err = fmt.Errorf("not installed (%w)", err)
		}
		return &OpenError{Path: abs, Opener: argv[0], Err: err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t := time.NewTimer(openGrace)
	defer t.Stop()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("exit status %d%s", ee.ExitCode(), openerStatus(argv[0], ee.ExitCode()))
		}
		return &OpenError{Path: abs, Opener: argv[0], Err: err}
	case <-t.C:
		return nil // the handler runs in the foreground: it is open (Wait reaps it)
	case <-ctx.Done():
		return &OpenError{Path: abs, Opener: argv[0], Err: ctx.Err()}
	}
}

// openerStatus says what xdg-open's documented exit statuses mean.
func openerStatus(opener string, code int) string {
	if opener != "xdg-open" {
		return ""
	}
	switch code {
	case 2:
		return " (the file does not exist)"
	case 3:
		return " (no program to open it: install a text editor or set a default one)"
	case 4:
		return " (the program that should open it failed)"
	}
	return ""
}
