package logfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/safefile"
	"github.com/traycheck/traycheck/internal/testenv"
)

// The attack of issue 17: whoever owns ~/.cache/traycheck plants a link
// there, and traycheck run as root (sudo -E keeps the user's cache path)
// appends to, or creates, the file it names. Each case stages one plant
// for real and checks that Open refuses it, says why, and that the victim
// is untouched.
func TestOpenRefusesPlantedLogs(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		plant func(t *testing.T, log string)
		want  string
	}{
		{"link to a file", func(t *testing.T, log string) { must(t, os.Symlink(victim, log)) }, "symbolic link"},
		{"link to a missing file", func(t *testing.T, log string) {
			must(t, os.Symlink(filepath.Join(filepath.Dir(victim), "created"), log))
		}, "symbolic link"},
		{"link to /dev/zero", func(t *testing.T, log string) { must(t, os.Symlink("/dev/zero", log)) }, "symbolic link"},
		{"hard link", func(t *testing.T, log string) { must(t, os.Link(victim, log)) }, "hard links"},
		{"FIFO nobody reads", func(t *testing.T, log string) { must(t, unix.Mkfifo(log, 0o600)) }, "FIFO"},
		{"FIFO with a reader", func(t *testing.T, log string) {
			must(t, unix.Mkfifo(log, 0o600))
			// With a reader a write-open succeeds; the type check must refuse it.
			r, err := os.OpenFile(log, os.O_RDONLY|unix.O_NONBLOCK, 0)
			must(t, err)
			t.Cleanup(func() { r.Close() })
		}, "FIFO"},
		{"directory", func(t *testing.T, log string) { must(t, os.Mkdir(log, 0o700)) }, "directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "traycheck")
			must(t, os.Mkdir(dir, 0o700))
			log := filepath.Join(dir, "traycheck.log")
			tt.plant(t, log)
			w, err := Open(log, 0, -1)
			if err == nil {
				w.Close()
				t.Fatal("Open accepted the planted log")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the victim now holds %q", b)
	}
	if _, err := os.Lstat(filepath.Join(filepath.Dir(victim), "created")); err == nil {
		t.Error("a file was created through the link")
	}
}

// TestOpenRefusesForeignDirectory stages the sudo -E case for real: the log
// directory belongs to another user (nobody) and traycheck runs as root;
// and a directory anyone may write.
func TestOpenRefusesForeignDirectory(t *testing.T) {
	testenv.Root(t)
	base := t.TempDir()
	foreign := filepath.Join(base, "foreign")
	must(t, os.Mkdir(foreign, 0o700))
	must(t, os.Chown(foreign, 65534, 65534))
	open := filepath.Join(base, "open")
	must(t, os.Mkdir(open, 0o700))
	must(t, os.Chmod(open, 0o777))
	for dir, want := range map[string]string{foreign: "belongs to UID 65534", open: "writable by others"} {
		w, err := Open(filepath.Join(dir, "traycheck.log"), 0, -1)
		if err == nil {
			w.Close()
			t.Fatalf("Open accepted the log in %s", dir)
		}
		if !errors.Is(err, safefile.ErrUnsafeDir) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q, want ErrUnsafeDir saying %q", filepath.Base(dir), err, want)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s: created %v", filepath.Base(dir), ents)
		}
	}
}

// TestOpenNeverBlocks: a FIFO planted as the log, with nobody reading it,
// must be refused at once (a blocking open would wait for a reader forever).
// The bound is generous; a hang is what it catches.
func TestOpenNeverBlocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "traycheck")
	must(t, os.Mkdir(dir, 0o700))
	log := filepath.Join(dir, "traycheck.log")
	must(t, unix.Mkfifo(log, 0o600))
	done := make(chan error, 1)
	go func() {
		w, err := Open(log, 0, -1)
		if err == nil {
			w.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a FIFO was accepted as the log")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open blocked on a FIFO")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
