package config

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// useConfigDir points os.UserConfigDir at a fresh directory for the test.
func useConfigDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	switch runtime.GOOS {
	case "windows":
		t.Setenv("AppData", dir)
	case "darwin", "ios":
		t.Setenv("HOME", dir)
		dir = filepath.Join(dir, "Library", "Application Support")
	default:
		t.Setenv("XDG_CONFIG_HOME", dir)
	}
	return dir
}

func TestDefaultPath(t *testing.T) {
	dir := useConfigDir(t)
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "traycheck", "config.toml"); p != want {
		t.Errorf("DefaultPath() = %q, want %q", p, want)
	}
}

func TestLoadFallsBackToEmbeddedDefault(t *testing.T) {
	useConfigDir(t)
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != EmbeddedSource || len(cfg.Ports) != 5 {
		t.Errorf("Load(\"\") without a file = %q with %d ports, want the embedded default", cfg.Source, len(cfg.Ports))
	}
}

func TestLoadReadsDefaultPath(t *testing.T) {
	useConfigDir(t)
	p, _ := DefaultPath()
	writeFile(t, p, "[vpn]\nports = [\"tcp/443\"]\n", 0o600)
	cfg, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != p || len(cfg.Ports) != 1 {
		t.Errorf("Load(\"\") = %q with %v, want %q with tcp/443", cfg.Source, cfg.Ports, p)
	}
}

func TestLoadExplicitMissingIsAnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.toml")
	cfg, err := Load(p)
	var e *Error
	if cfg != nil || !errors.As(err, &e) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, %v; want an *Error wrapping fs.ErrNotExist", cfg, err)
	}
	if e.File != p || !strings.Contains(e.Msg, "traycheck config init") {
		t.Errorf("error %q should name the file and how to create it", err)
	}
}

func TestLoadBadFileNamesPosition(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, p, "[vpn]\nports = [\"udp/99999\"]\n", 0o600)
	_, err := Load(p)
	if err == nil || !strings.HasPrefix(err.Error(), p+":2:10: bad port") {
		t.Fatalf("Load = %v, want %s:2:10: bad port ...", err, p)
	}
}

func TestLoadRefusesHugeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, p, "# "+strings.Repeat("x", maxFileSize)+"\n", 0o600)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Load(huge) = %v, want a size error", err)
	}
}

const withReconnect = "[vpn]\nreconnect = [\"nmcli\", \"connection\", \"up\", \"work\"]\n"

func TestLoadRefusesWritableReconnectConfig(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not describe who may write a file on Windows; TestLoadRefusesReconnectConfigOthersMayWrite checks the ACLs there")
	}
	dir := filepath.Join(t.TempDir(), "traycheck")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "config.toml")

	writeFile(t, p, withReconnect, 0o600)
	cfg, err := Load(p)
	if err != nil {
		t.Fatalf("private config refused: %v", err)
	}
	if len(cfg.Reconnect) != 4 {
		t.Fatalf("Reconnect = %v", cfg.Reconnect)
	}

	for _, mode := range []os.FileMode{0o620, 0o602, 0o666} {
		chmod(t, p, mode)
		cfg, err := Load(p)
		var e *Error
		if cfg != nil || !errors.As(err, &e) {
			t.Fatalf("mode %o: Load = %v, %v; want refusal", mode, cfg, err)
		}
		if e.File != p || !strings.Contains(e.Msg, "writable by group or others") || !strings.Contains(e.Msg, "chmod 600 "+p) {
			t.Errorf("mode %o: error %q should name the file and the fix", mode, err)
		}
	}

	// The same file without a reconnect command runs nothing, so its mode
	// does not matter.
	writeFile(t, p, "[vpn]\nname = \"x\"\n", 0o666)
	chmod(t, p, 0o666)
	if _, err := Load(p); err != nil {
		t.Errorf("writable config without reconnect refused: %v", err)
	}

	writeFile(t, p, withReconnect, 0o600)
	chmod(t, p, 0o600)
	chmod(t, dir, 0o777)
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "chmod go-w "+dir) {
		t.Errorf("config in a world-writable directory: Load = %v, want refusal naming chmod go-w %s", err, dir)
	}
	chmod(t, dir, 0o777|os.ModeSticky)
	if _, err := Load(p); err != nil {
		t.Errorf("a sticky directory cannot have our file replaced, yet: %v", err)
	}
	chmod(t, dir, 0o700)

	// A writable grandparent lets others rename the whole directory away.
	parent := filepath.Dir(dir)
	chmod(t, parent, 0o757)
	t.Cleanup(func() { os.Chmod(parent, 0o700) })
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "chmod go-w "+parent) {
		t.Errorf("config under a world-writable parent: Load = %v, want refusal naming %s", err, parent)
	}
}

func TestLoadRefusesReconnectConfigOwnedByOthers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix ownership (uid); a Windows owner SID other than the user is TestOtherWriter's \"owned by another user\" case")
	}
	testenv.Root(t) // only root can give a file away
	p := filepath.Join(t.TempDir(), "config.toml")
	writeFile(t, p, withReconnect, 0o600)
	const nobody = 65534
	if err := os.Chown(p, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "belongs to another user (uid 65534)") {
		t.Fatalf("Load(file of uid %d) = %v, want refusal", nobody, err)
	}
}

func TestWriteDefault(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "traycheck")
	p := filepath.Join(dir, "config.toml")
	if err := WriteDefault(p, false); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, UserFileText(p)) {
		t.Error("written file differs from UserFileText()")
	}
	if runtime.GOOS != "windows" {
		if m := stat(t, p).Mode().Perm(); m != 0o600 {
			t.Errorf("file mode = %o, want 600", m)
		}
		if m := stat(t, dir).Mode().Perm(); m != 0o700 {
			t.Errorf("directory mode = %o, want 700", m)
		}
	}
	// The written file loads, sets nothing, and so leaves the default.
	cfg, err := Load(p)
	if err != nil || len(cfg.Keys) != 0 || cfg.Source != p {
		t.Fatalf("Load(written default) = %+v, %v", cfg, err)
	}

	// No overwrite without force, and the file stays as the user left it.
	writeFile(t, p, "# mine\n", 0o600)
	err = WriteDefault(p, false)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("WriteDefault over an existing file = %v, want fs.ErrExist mentioning --force", err)
	}
	if got, _ := os.ReadFile(p); string(got) != "# mine\n" {
		t.Errorf("refused write still changed the file: %q", got)
	}

	if err := WriteDefault(p, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, UserFileText(p)) {
		t.Error("forced write did not replace the file")
	}
	// Atomic writes leave no temporary files behind.
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only config.toml", names)
	}
}

func TestWriteDefaultReplacesAtomically(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to rename over a file a reader holds open (os.Open does not share delete), so there WriteDefault fails with access denied instead of swapping the name under the reader; a reader never sees a half-written file either way")
	}
	p := filepath.Join(t.TempDir(), "config.toml")
	writeFile(t, p, "# old\n", 0o600)
	// Someone reading the old file keeps a whole old file: a rename swaps
	// the name to a new inode instead of truncating and rewriting this one.
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := WriteDefault(p, true); err != nil {
		t.Fatal(err)
	}
	old := make([]byte, 64)
	n, _ := f.Read(old)
	if string(old[:n]) != "# old\n" {
		t.Errorf("open reader of the old file saw %q: the file was rewritten in place", old[:n])
	}
	if os.SameFile(stat(t, p), mustStatFile(t, f)) {
		t.Error("the config is the same inode as before: not replaced by rename")
	}
}

func writeFile(t *testing.T, p, s string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func stat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func mustStatFile(t *testing.T, f *os.File) os.FileInfo {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return fi
}
