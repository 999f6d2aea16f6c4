//go:build unix

package fleet

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// In a textfile directory another account can write, that account plants a
// link at the temporary file's name, pointing at a file of root's: the
// write must neither follow it nor change the target's mode (the old code
// chmodded by name after closing), and must still succeed under another
// name, or fail cleanly when every name is taken.
func TestTextfileDoesNotFollowAPlantedLink(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(secret, []byte("root only\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	planted := ".traycheck.prom.planted.tmp"
	if err := os.Symlink(secret, filepath.Join(dir, planted)); err != nil {
		t.Fatal(err)
	}
	old := tempName
	t.Cleanup(func() { tempName = old })
	names := []string{planted, planted, ".traycheck.prom.fresh.tmp"}
	tempName = func(string) string {
		n := names[0]
		if len(names) > 1 {
			names = names[1:]
		}
		return n
	}
	if err := writeAtomic(dir, TextfileName, []byte("traycheck_resumes_total 1\n")); err != nil {
		t.Fatalf("write beside a planted link: %v", err)
	}
	checkSecret := func() {
		t.Helper()
		fi, err := os.Stat(secret)
		b, _ := os.ReadFile(secret)
		if err != nil || fi.Mode().Perm() != 0o600 || !bytes.Equal(b, []byte("root only\n")) {
			t.Errorf("target of the planted link: mode %v, content %q, %v", fi.Mode().Perm(), b, err)
		}
	}
	checkSecret()
	fi, err := os.Stat(filepath.Join(dir, TextfileName))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("textfile: %v, mode %v", err, fi.Mode().Perm())
	}
	if fi, err := os.Lstat(filepath.Join(dir, planted)); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the planted link was touched: %v", err)
	}

	// Every name taken: a clean error, nothing written anywhere.
	tempName = func(string) string { return planted }
	err = writeAtomic(dir, TextfileName, []byte("traycheck_resumes_total 2\n"))
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("write with every name planted: %v, want an error saying the name exists", err)
	}
	checkSecret()
	if b, _ := os.ReadFile(filepath.Join(dir, TextfileName)); !bytes.Equal(b, []byte("traycheck_resumes_total 1\n")) {
		t.Errorf("textfile changed by a failed write: %q", b)
	}
}
