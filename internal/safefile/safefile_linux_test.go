package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openFixture makes a temp dir holding a named pipe, a plain file with
// content and a symlink to it, the files both Open tests refuse or accept.
func openFixture(t *testing.T, content string) (dir, fifo, plain, link string) {
	t.Helper()
	dir = t.TempDir()
	fifo = filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	plain = filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	link = filepath.Join(dir, "link")
	if err := os.Symlink(plain, link); err != nil {
		t.Fatal(err)
	}
	return dir, fifo, plain, link
}

func TestOpenRegularRefusesWhatCanBlockOrNeverEnd(t *testing.T) {
	dir, fifo, plain, link := openFixture(t, "x")
	for p, want := range map[string]string{fifo: "named pipe", "/dev/zero": "character device", dir: "directory"} {
		f, err := OpenRegular(p)
		if err == nil {
			f.Close()
		}
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenRegular(%s) = %v, want ErrNotRegular naming %q", p, err, want)
		}
	}
	for _, p := range []string{plain, link} { // links are followed for reading
		f, err := OpenRegular(p)
		if err != nil {
			t.Errorf("OpenRegular(%s): %v", p, err)
			continue
		}
		f.Close()
	}
}

func TestOpenStream(t *testing.T) {
	f, err := OpenStream("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x")); err != nil {
		t.Error(err)
	}
	f.Close()
	plain := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(plain, nil, 0o600)
	if _, err := OpenStream(plain); !errors.Is(err, ErrNotStream) {
		t.Errorf("OpenStream(regular file) = %v, want ErrNotStream", err)
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "new")); err == nil {
		t.Fatal("setup")
	}
	if _, err := OpenStream(filepath.Join(filepath.Dir(plain), "new")); err == nil {
		t.Error("OpenStream created a file")
	}
}

func TestCheckPrivateDir(t *testing.T) {
	d := t.TempDir()
	os.Chmod(d, 0o700)
	if err := CheckPrivateDir(d); err != nil {
		t.Errorf("own 0700 dir: %v", err)
	}
	os.Chmod(d, 0o770)
	if err := CheckPrivateDir(d); !errors.Is(err, ErrUnsafeDir) {
		t.Errorf("group-writable dir: %v", err)
	}
	link := filepath.Join(t.TempDir(), "l")
	os.Symlink(d, link)
	if err := CheckPrivateDir(link); !errors.Is(err, ErrUnsafeDir) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("link to a dir: %v", err)
	}
}
