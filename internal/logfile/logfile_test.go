package logfile

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func sizes(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = fi.Size()
	}
	return out
}

func TestRotationBoundsDiskUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "traycheck")
	path := filepath.Join(dir, "traycheck.log")
	w, err := Open(path, 1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(w, nil))
	for i := range 500 {
		log.Info("probe", "i", i, "resource", "udp/1194")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := sizes(t, dir)
	if len(got) != 3 {
		t.Fatalf("files %v, want the log and 2 old ones", got)
	}
	for name, n := range got {
		if n > 1000 || n == 0 {
			t.Errorf("%s: %d bytes, want 1..1000", name, n)
		}
	}
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(cur), "i=499") {
		t.Errorf("newest record missing from the current log")
	}
	prev, _ := os.ReadFile(path + ".1")
	if bytes.Contains(prev, []byte("i=499")) || !bytes.HasSuffix(prev, []byte("\n")) {
		t.Errorf("old file holds new or partial records")
	}
	// Windows has no mode bits (Go reports 0777 for every directory): there
	// the log directory inherits the ACL of %LocalAppData%, which only the
	// user, SYSTEM and the administrators may open, and logfile sets none.
	if fi, _ := os.Stat(dir); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("log dir mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("write after Close succeeded")
	}
}

func TestReopenAppendsAndHugeRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.log")
	w, _ := Open(path, 100, 0)
	fmt.Fprintln(w, "first")
	w.Close()
	w, err := Open(path, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, "second")
	if b, _ := os.ReadFile(path); string(b) != "first\nsecond\n" {
		t.Fatalf("after reopen: %q", b)
	}
	n, err := w.Write(bytes.Repeat([]byte("y"), 5000))
	if err != nil || n != 5000 {
		t.Fatalf("huge write: %d, %v", n, err)
	}
	w.Close()
	if got := sizes(t, filepath.Dir(path)); len(got) != 1 || got["t.log"] != 100 {
		t.Fatalf("keep=0 files %v, want one file of 100 bytes", got)
	}
}

func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.log")
	w, _ := Open(path, 4096, 1)
	defer w.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				fmt.Fprintf(w, "goroutine %d line %d\n", g, i)
			}
		})
	}
	wg.Wait()
	for _, p := range []string{path, path + ".1"} {
		b, _ := os.ReadFile(p)
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if !strings.HasPrefix(line, "goroutine ") {
				t.Fatalf("interleaved line %q in %s", line, p)
			}
		}
	}
}

func TestDefaultPath(t *testing.T) {
	want := "/tmp/cachehome/traycheck/traycheck.log"
	if runtime.GOOS == "linux" {
		t.Setenv("XDG_CACHE_HOME", "/tmp/cachehome")
	} else {
		dir, err := os.UserCacheDir()
		if err != nil {
			t.Skip(err)
		}
		want = filepath.Join(dir, "traycheck", "traycheck.log")
	}
	p, err := DefaultPath()
	if err != nil || p != want {
		t.Fatalf("DefaultPath = %q, %v; want %q", p, err, want)
	}
}

func BenchmarkWrite(b *testing.B) {
	w, _ := Open(filepath.Join(b.TempDir(), "b.log"), 1<<20, 1)
	defer w.Close()
	line := []byte(`time=2026-01-01T00:00:00Z level=INFO msg=probe resource=udp/1194 cause=free` + "\n")
	b.ReportAllocs()
	for b.Loop() {
		w.Write(line)
	}
}
