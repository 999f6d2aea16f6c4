//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// symlinkedConfig lays out a config with a reconnect command at real and a
// symlink to it at link (directories made private, 0700), and returns both.
func symlinkedConfig(t *testing.T) (base, link, real string) {
	t.Helper()
	base = t.TempDir()
	real = filepath.Join(base, "shared", "traycheck.toml")
	link = filepath.Join(base, "home", ".config", "traycheck", "config.toml")
	writeFile(t, real, withReconnect, 0o600)
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(filepath.Dir(link), real)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(rel, link); err != nil {
		t.Fatal(err)
	}
	return base, link, real
}

func wantRefusal(t *testing.T, p, why string) {
	t.Helper()
	cfg, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), why) {
		t.Fatalf("Load(%s) = %v, %v; want a refusal containing %q", p, cfg, err, why)
	}
}

// TestSymlinkedConfigChecksTheRealFilesDirectories: the file that is read
// sits in a world-writable directory, so anyone can replace it; the
// symlink's own directories being private does not make it safe.
func TestSymlinkedConfigChecksTheRealFilesDirectories(t *testing.T) {
	_, link, real := symlinkedConfig(t)
	if _, err := Load(link); err != nil {
		t.Fatalf("private symlinked config refused: %v", err)
	}
	shared := filepath.Dir(real)
	chmod(t, shared, 0o777)
	t.Cleanup(func() { os.Chmod(shared, 0o700) })
	wantRefusal(t, link, "chmod go-w "+shared)

	chmod(t, shared, 0o700)
	chmod(t, real, 0o666)
	wantRefusal(t, link, "chmod 600 "+real)
}

// TestSymlinkedConfigChecksTheLinksDirectories: whoever can replace the link
// decides what is read, so the link's directory is checked too.
func TestSymlinkedConfigChecksTheLinksDirectories(t *testing.T) {
	_, link, _ := symlinkedConfig(t)
	dir := filepath.Dir(link)
	chmod(t, dir, 0o777)
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	wantRefusal(t, link, "chmod go-w "+dir)
}

// TestSymlinkChainChecksEveryHop: link -> hop -> file, where only the hop's
// directory is world-writable.
func TestSymlinkChainChecksEveryHop(t *testing.T) {
	base, link, real := symlinkedConfig(t)
	hopDir := filepath.Join(base, "hop")
	if err := os.Mkdir(hopDir, 0o700); err != nil {
		t.Fatal(err)
	}
	hop := filepath.Join(hopDir, "config.toml")
	if err := os.Symlink(real, hop); err != nil {
		t.Fatal(err)
	}
	os.Remove(link)
	if err := os.Symlink(hop, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(link); err != nil {
		t.Fatalf("private chain refused: %v", err)
	}
	chmod(t, hopDir, 0o777)
	t.Cleanup(func() { os.Chmod(hopDir, 0o700) })
	wantRefusal(t, link, "chmod go-w "+hopDir)
}

// TestSymlinkOwnedByOtherUser: in a sticky directory nobody can replace our
// entries, but a link that another user owns is theirs to re-point.
func TestSymlinkOwnedByOtherUser(t *testing.T) {
	testenv.Root(t) // only root can give a link away
	_, link, _ := symlinkedConfig(t)
	const nobody = 65534
	if err := os.Lchown(link, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, link, "the symlink "+link+" belongs to another user (uid 65534)")
}

func TestSymlinkLoopIsAnError(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if err := checkPrivate(a); err == nil {
		t.Fatal("a symlink loop passed the permission check")
	}
}
