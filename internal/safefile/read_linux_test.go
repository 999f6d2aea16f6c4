package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestOpenBoundedRefusesByNameTypeAndSize(t *testing.T) {
	dir, fifo, plain, link := openFixture(t, "0123456789")
	os.Symlink("/proc/self/status", filepath.Join(dir, "proc"))
	os.Symlink("loop", filepath.Join(dir, "loop"))
	for _, tc := range []struct {
		path     string
		nofollow bool
		want     error
		says     string
	}{
		{fifo, false, ErrNotRegular, "named pipe"},
		{"/proc/kmsg", false, ErrPseudoFile, "/proc/kmsg"},
		{"/proc/self/status", false, ErrPseudoFile, ""},
		{"/dev/zero", false, ErrPseudoFile, ""},
		{"/sys/kernel/notes", false, ErrPseudoFile, ""},
		{filepath.Join(dir, "proc"), false, ErrPseudoFile, "leads to /proc/"},
		{dir, false, ErrNotRegular, "directory"},
		{link, true, ErrNotRegular, "symbolic link"},
		{filepath.Join(dir, "loop"), false, unix.ELOOP, ""},
		{plain, false, ErrTooLarge, "10 bytes, more than 9"},
	} {
		f, _, err := OpenBounded(tc.path, 9, tc.nofollow)
		if err == nil {
			f.Close()
		}
		if !errors.Is(err, tc.want) || !strings.Contains(fmtAny(err), tc.says) {
			t.Errorf("OpenBounded(%s) = %v, want %v saying %q", tc.path, err, tc.want, tc.says)
		}
	}
	for _, p := range []string{plain, link} {
		b, err := ReadFile(p, 10)
		if err != nil || string(b) != "0123456789" {
			t.Errorf("ReadFile(%s) = %q, %v", p, b, err)
		}
	}
	// A file that grows past the cap after the fstat is refused, not cut.
	f, _, err := OpenBounded(plain, 10, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	os.WriteFile(plain, []byte("0123456789abc"), 0o600)
	if _, err := ReadFull(f, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFull of a grown file: %v", err)
	}
}

func fmtAny(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
