package report

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

// The attack of issue 17: as root, `report --out /dev/null` renamed the
// temporary file over /dev/null and made it a 0600 regular file. These stage
// the same paths for real in a temporary directory: a character device made
// with mknod (the null device's own numbers), a FIFO, links to both, a
// block device and a link to a regular file.

func mknod(t *testing.T, path string, mode uint32, major, minor uint32) {
	t.Helper()
	if err := unix.Mknod(path, mode|0o666, int(unix.Mkdev(major, minor))); err != nil {
		t.Fatalf("mknod %s: %v", path, err)
	}
}

func typeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Type()
}

func TestWriteFileWritesThroughCharDevice(t *testing.T) {
	testenv.Root(t) // mknod
	dir := t.TempDir()
	null := filepath.Join(dir, "null")
	mknod(t, null, unix.S_IFCHR, 1, 3)
	link := filepath.Join(dir, "stdout-like")
	if err := os.Symlink(null, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{null, link} {
		if err := WriteFile(p, []byte("report")); err != nil {
			t.Fatalf("WriteFile(%s): %v", p, err)
		}
	}
	if got := typeOf(t, null); got != os.ModeDevice|os.ModeCharDevice {
		t.Errorf("the null node became %v", got)
	}
	if got := typeOf(t, link); got != os.ModeSymlink {
		t.Errorf("the link became %v", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("left behind: %v", ents)
	}
}

func TestWriteFileWritesThroughFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Nobody reads it: an error at once, not a hang, and the FIFO stays.
	err := WriteFile(fifo, []byte("report"))
	if err == nil || !errors.Is(err, syscall.ENXIO) || !strings.Contains(err.Error(), "nobody reads") {
		t.Fatalf("FIFO without a reader: %v", err)
	}
	if typeOf(t, fifo) != os.ModeNamedPipe {
		t.Fatal("the FIFO was replaced")
	}
	// A reader (a real one, in a goroutine holding the read end).
	got := make(chan []byte, 1)
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer r.Close()
		var buf bytes.Buffer
		r.SetReadDeadline(time.Now().Add(10 * time.Second))
		io.Copy(&buf, r)
		got <- buf.Bytes()
	}()
	if err := WriteFile(fifo, []byte("report through a pipe")); err != nil {
		t.Fatal(err)
	}
	if b := <-got; string(b) != "report through a pipe" {
		t.Errorf("the reader got %q", b)
	}
	if typeOf(t, fifo) != os.ModeNamedPipe {
		t.Error("the FIFO was replaced")
	}
}

func TestWriteFileRefusesWhatItMustNotReplace(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "planted")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{link: "name the file itself", sub: "it is a directory"}
	if os.Geteuid() == 0 {
		blk := filepath.Join(dir, "loop")
		mknod(t, blk, unix.S_IFBLK, 7, 0)
		cases[blk] = "it is a block device"
	}
	for p, want := range cases {
		err := WriteFile(p, []byte("report"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("WriteFile(%s) = %v, want an error saying %q", filepath.Base(p), err, want)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the file behind the link now holds %q", b)
	}
	if typeOf(t, link) != os.ModeSymlink {
		t.Error("the link was replaced")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != len(cases)+1 {
		t.Errorf("left behind: %v", ents)
	}
}

// TestReadJournalRefusesFIFO: a FIFO planted as the journal, its writer
// open and silent, would block the report's read for good; it is refused at
// once.
func TestReadJournalRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "journal.jsonl")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	done := make(chan error, 1)
	go func() { _, err := ReadJournal(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("ReadJournal(FIFO) = %v, want a refusal", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadJournal blocked on a FIFO")
	}
}
