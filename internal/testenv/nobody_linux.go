package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// AsNobody is the argv prefix that runs a command as the user nobody (uid
// and gid 65534, no supplementary groups), as the tray runs: an ordinary
// user who may not read root's fd tables. It needs root.
func AsNobody(t testing.TB) []string {
	t.Helper()
	Root(t)
	return []string{LookPath(t, "setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups"}
}

// CopyTestBinary copies the running test binary where nobody can run it
// (go test's build directory is private to root) and returns its path; the
// copy goes when the test ends.
func CopyTestBinary(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "traycheck-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, filepath.Base(os.Args[0]))
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}
