package trigger

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const bindLine = "2026-12-07 09:14:03 TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)"

func appendTo(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// The tailer skips what a log held at start, reads appended lines (a
// partial line waits for its end), reads a rotated or truncated log from
// its start, a new log whole, and bounds a huge append.
func TestTailer(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work.log")
	appendTo(t, work, bindLine+"\n") // history
	tl := &tailer{dirs: []string{dir}, files: map[string]*tailed{}, log: slog.Default()}
	if evs := tl.scan(true); len(evs) != 0 {
		t.Fatalf("start: %v", evs)
	}
	scan := func() []Event { t.Helper(); return tl.scan(false) }
	if evs := scan(); len(evs) != 0 {
		t.Fatalf("history became events: %v", evs)
	}
	appendTo(t, work, "noise\n"+bindLine[:30])
	if evs := scan(); len(evs) != 0 {
		t.Fatalf("a partial line became an event: %v", evs)
	}
	appendTo(t, work, bindLine[30:]+"\r\n")
	evs := scan()
	if len(evs) != 1 || evs[0].Connection != "work" || evs[0].Kind != Failed || evs[0].Line != bindLine || evs[0].Source != "logfile" {
		t.Fatalf("appended: %+v", evs)
	}
	// Rotation: OpenVPN GUI starts a new log for each connect.
	if err := os.Rename(work, work+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, work, "Initialization Sequence Completed\n")
	if evs := scan(); len(evs) != 1 || evs[0].Kind != Connected {
		t.Fatalf("after rotation: %+v", evs)
	}
	if err := os.WriteFile(work, []byte(bindLine+"\n"), 0o600); err != nil { // truncated and rewritten
		t.Fatal(err)
	}
	if evs := scan(); len(evs) != 1 || evs[0].Kind != Failed {
		t.Fatalf("after truncation: %+v", evs)
	}
	appendTo(t, filepath.Join(dir, "home.log"), bindLine+"\n")
	if evs := scan(); len(evs) != 1 || evs[0].Connection != "home" {
		t.Fatalf("a new log: %+v", evs)
	}
	appendTo(t, work, strings.Repeat(strings.Repeat("x", 100)+"\n", 2000)+bindLine+"\n")
	if evs := scan(); len(evs) != 1 {
		t.Fatalf("a huge append: %d events", len(evs))
	}
	if off := tl.files[work].off; off != tl.files[work].info.Size() {
		t.Fatalf("offset %d, size %d", off, tl.files[work].info.Size())
	}
}

func TestLogFilesSource(t *testing.T) {
	if _, err := (&LogFiles{Dirs: []string{filepath.Join(t.TempDir(), "none")}}).Start(context.Background()); err == nil {
		t.Fatal("no log directory: want an error")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := (&LogFiles{Dirs: []string{dir}, Poll: 10 * time.Millisecond}).Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	appendTo(t, filepath.Join(dir, "office.log"), bindLine+"\n")
	select {
	case ev := <-ch:
		if ev.Connection != "office" || ev.Code != "EADDRINUSE" {
			t.Fatalf("event %+v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
}
