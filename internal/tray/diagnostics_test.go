package tray

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/traycheck/traycheck/internal/notify"

	"github.com/traycheck/traycheck/internal/testenv"
)

var quiet = slog.New(slog.DiscardHandler)

// desk stands in for the desktop's clipboard and opener programs (the real
// ones are tested in desktop_test.go and the e2e suite).
type desk struct {
	mu       sync.Mutex
	clipErr  error
	openErr  error
	copied   [][]byte
	opened   []string
	inFlight chan struct{} // when set, Clipboard blocks until it is closed
}

func (d *desk) Clipboard(_ context.Context, text []byte) (string, error) {
	if d.inFlight != nil {
		<-d.inFlight
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clipErr != nil {
		return "", d.clipErr
	}
	d.copied = append(d.copied, append([]byte(nil), text...))
	return "xclip", nil
}

func (d *desk) Open(_ context.Context, path string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opened = append(d.opened, path)
	return d.openErr
}

// diagController returns a controller whose Diagnostics writes a real file
// in a temporary directory, and the console its notes go to.
func diagController(t *testing.T, d *desk) (*Controller, string, *testenv.SyncBuffer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "traycheck-report.txt")
	out := &testenv.SyncBuffer{}
	c := NewController(Options{Notifier: notify.NewConsole(out), Clipboard: d.Clipboard, Open: d.Open, Log: quiet,
		Diagnostics: func(context.Context) (string, []byte, error) {
			text := []byte("traycheck diagnostic report\nudp/1194: other-app\n")
			return path, text, os.WriteFile(path, text, 0o600)
		}})
	return c, path, out
}

func TestCopyDiagnosticsToClipboard(t *testing.T) {
	d := &desk{}
	c, path, out := diagController(t, d)
	c.Do(context.Background(), Command{Kind: CopyDiagnostics})
	if len(d.copied) != 1 || !strings.HasPrefix(string(d.copied[0]), "traycheck diagnostic report") {
		t.Fatalf("clipboard got %q, want the report", d.copied)
	}
	if len(d.opened) != 0 {
		t.Errorf("opened %q although the clipboard took the report", d.opened)
	}
	note := out.String()
	if !strings.Contains(note, "Diagnostics copied to the clipboard") || !strings.Contains(note, path) {
		t.Errorf("note %q must say it is on the clipboard and where the file is (%s)", note, path)
	}
	if c.View().Diagnosing {
		t.Error("still marked as running after it finished")
	}
}

func TestCopyDiagnosticsWithoutClipboardShowsFolder(t *testing.T) {
	for name, clipErr := range map[string]error{
		"none installed": ErrNoClipboard,
		"xclip failed":   errors.Join(ErrNoClipboard, errors.New("xclip: exit status 1")),
	} {
		d := &desk{clipErr: clipErr}
		c, path, out := diagController(t, d)
		c.Do(context.Background(), Command{Kind: CopyDiagnostics})
		if len(d.opened) != 1 || d.opened[0] != filepath.Dir(path) {
			t.Errorf("%s: opened %q, want the report's folder %s", name, d.opened, filepath.Dir(path))
		}
		note := out.String()
		if !strings.Contains(note, "no clipboard here") || !strings.Contains(note, path) || !strings.Contains(note, "folder is open") {
			t.Errorf("%s: note %q must say there is no clipboard, where the file is, and that its folder is open", name, note)
		}
		if b, err := os.ReadFile(path); err != nil || len(b) == 0 {
			t.Errorf("%s: report not written: %v", name, err)
		}
	}

	d := &desk{clipErr: ErrNoClipboard, openErr: errors.New(`exec: "xdg-open": executable file not found in $PATH`)}
	c, path, out := diagController(t, d)
	c.Do(context.Background(), Command{Kind: CopyDiagnostics})
	if note := out.String(); strings.Contains(note, "folder is open") || !strings.Contains(note, path) {
		t.Errorf("note %q claims an open folder the opener failed to show, or lacks the path", note)
	}
}

func TestCopyDiagnosticsFailureSaysSo(t *testing.T) {
	d := &desk{}
	out := &testenv.SyncBuffer{}
	c := NewController(Options{Notifier: notify.NewConsole(out), Clipboard: d.Clipboard, Open: d.Open, Log: quiet,
		Diagnostics: func(context.Context) (string, []byte, error) {
			return "", nil, errors.New("writing report /x/traycheck-report.txt: read-only file system")
		}})
	c.Do(context.Background(), Command{Kind: CopyDiagnostics})
	if note := out.String(); !strings.Contains(note, "Could not write the diagnostic report") || !strings.Contains(note, "read-only file system") {
		t.Errorf("note %q must say the report failed and why", note)
	}
	if len(d.copied)+len(d.opened) != 0 {
		t.Errorf("copied %q / opened %q after a failed report", d.copied, d.opened)
	}
}

// A second click while the first runs does nothing; the menu shows it
// running meanwhile.
func TestCopyDiagnosticsOneAtATime(t *testing.T) {
	d := &desk{inFlight: make(chan struct{})}
	c, _, _ := diagController(t, d)
	done := make(chan struct{})
	go func() { c.Do(context.Background(), Command{Kind: CopyDiagnostics}); close(done) }()
	waitFor(t, "the first copy to start", func() bool { return c.View().Diagnosing })
	c.Do(context.Background(), Command{Kind: CopyDiagnostics}) // returns at once: not blocked on inFlight
	close(d.inFlight)
	<-done
	if len(d.copied) != 1 {
		t.Errorf("copied %d times, want once", len(d.copied))
	}
	if c.View().Diagnosing {
		t.Error("still marked as running")
	}
}

func TestOpenLog(t *testing.T) {
	d := &desk{}
	out := &testenv.SyncBuffer{}
	log := filepath.Join(t.TempDir(), "traycheck", "traycheck.log")
	c := NewController(Options{Notifier: notify.NewConsole(out), Open: d.Open, LogPath: log, Log: quiet})

	c.Do(context.Background(), Command{Kind: OpenLog})
	if len(d.opened) != 0 {
		t.Errorf("opened %q although there is no log yet", d.opened)
	}
	if note := out.String(); !strings.Contains(note, "No log yet") || !strings.Contains(note, log) {
		t.Errorf("note %q must say there is no log yet and where it will be", note)
	}

	if err := os.MkdirAll(filepath.Dir(log), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log, []byte("time=... level=INFO msg=\"tray started\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.Do(context.Background(), Command{Kind: OpenLog})
	if len(d.opened) != 1 || d.opened[0] != log {
		t.Errorf("opened %q, want the log %s", d.opened, log)
	}

	d.openErr = errors.New(`exec: "xdg-open": executable file not found in $PATH`)
	c.Do(context.Background(), Command{Kind: OpenLog})
	if note := out.String(); !strings.Contains(note, "Could not open the log") || !strings.Contains(note, "xdg-open") {
		t.Errorf("note %q must say the opener failed", note)
	}
}
