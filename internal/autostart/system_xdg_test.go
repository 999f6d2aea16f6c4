//go:build !windows && !darwin

package autostart

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// systemDirs points XDG_CONFIG_HOME and XDG_CONFIG_DIRS at fresh
// directories and, when entry is not nil, installs it as the package would
// (second of two system dirs, so the search goes past the first). It
// returns the user entry's path and the system entry's.
func systemDirs(t *testing.T, entry []byte) (user, sys string) {
	t.Helper()
	cfg, first, second := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_CONFIG_DIRS", first+string(os.PathListSeparator)+"relative/ignored"+string(os.PathListSeparator)+second)
	sys = filepath.Join(second, "autostart", "traycheck.desktop")
	if entry != nil {
		if err := os.MkdirAll(filepath.Dir(sys), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(sys, entry, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(cfg, "autostart", "traycheck.desktop"), sys
}

// packageEntry is the package's entry as packaging/linux installs it, with
// its TryExec (/usr/bin/traycheck, not on a test machine) replaced by
// tryExec; "" means a program that exists (this test binary).
func packageEntry(t *testing.T, tryExec string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../packaging/linux/traycheck-autostart.desktop")
	if err != nil {
		t.Fatal(err)
	}
	if tryExec == "" {
		if tryExec, err = os.Executable(); err != nil {
			t.Fatal(err)
		}
	}
	const packaged = "TryExec=/usr/bin/traycheck\n"
	if !bytes.Contains(b, []byte(packaged)) {
		t.Fatalf("the package's entry has no %q", packaged)
	}
	return bytes.Replace(b, []byte(packaged), []byte("TryExec="+tryExec+"\n"), 1)
}

// With the package's system-wide entry, "Start at login" is on without a
// user entry; switching it off writes a hidden override for this user only
// (the system file is untouched); switching it on takes the override away.
func TestSystemEntrySwitchedPerUser(t *testing.T) {
	installed(t)
	pkg := packageEntry(t, "")
	user, sys := systemDirs(t, pkg)

	if on, err := Enabled(); !on || err != nil {
		t.Fatalf("Enabled with the package's entry = %v, %v", on, err)
	}
	if s, _ := Status(); !strings.HasPrefix(s, "enabled: "+sys+" (installed with the package") || !strings.Contains(s, "Exec=/usr/bin/traycheck tray") {
		t.Errorf("Status = %q", s)
	}
	for range 2 { // disabling twice is harmless
		if err := Disable(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(user)
	if err != nil {
		t.Fatalf("no override written: %v", err)
	}
	if ours, on, _ := entryState(b); !ours || on {
		t.Errorf("override: ours=%v on=%v\n%s", ours, on, b)
	}
	if out, err := exec.Command(testenv.LookPath(t, "desktop-file-validate"), user).CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("desktop-file-validate on the override: %v %s", err, out)
	}
	if on, _ := Enabled(); on {
		t.Error("Enabled after Disable")
	}
	if s, _ := Status(); !strings.HasPrefix(s, "disabled: "+user+" (written by traycheck)") {
		t.Errorf("Status after Disable = %q", s)
	}
	if b, _ := os.ReadFile(sys); !bytes.Equal(b, pkg) {
		t.Error("the system entry was changed")
	}

	for range 2 {
		if err := Enable(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(user); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("override still there after Enable: %v", err)
	}
	if on, _ := Enabled(); !on {
		t.Error("not Enabled after Enable")
	}
}

// A user entry the user wrote still wins and is still never touched, with a
// system entry too.
func TestSystemEntryForeignUserEntry(t *testing.T) {
	installed(t)
	user, _ := systemDirs(t, packageEntry(t, ""))
	mine := []byte("[Desktop Entry]\nType=Application\nName=traycheck\nExec=/opt/tc/traycheck\nHidden=true\n")
	os.MkdirAll(filepath.Dir(user), 0o755)
	if err := os.WriteFile(user, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	if on, _ := Enabled(); on {
		t.Error("Enabled although the user's own entry hides the system one")
	}
	if err := Enable(); !errors.Is(err, ErrForeign) {
		t.Errorf("Enable: %v, want ErrForeign", err)
	}
	if err := Disable(); !errors.Is(err, ErrForeign) {
		t.Errorf("Disable: %v, want ErrForeign", err)
	}
	if b, _ := os.ReadFile(user); !bytes.Equal(b, mine) {
		t.Error("the user's entry was changed")
	}
}

// A system entry an administrator switched off counts as off, and enabling
// then writes the user's own entry as without a package.
func TestSystemEntrySwitchedOffByAdmin(t *testing.T) {
	link := installed(t)
	user, sys := systemDirs(t, append(packageEntry(t, ""), []byte("Hidden=true\n")...))
	if on, _ := Enabled(); on {
		t.Error("Enabled although the system entry is hidden")
	}
	if s, _ := Status(); !strings.HasPrefix(s, "disabled: "+sys) {
		t.Errorf("Status = %q", s)
	}
	if err := Enable(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(user)
	if err != nil {
		t.Fatal(err)
	}
	if _, on, execValue := entryState(b); !on || unquoteExec(t, execValue) != link {
		t.Errorf("user entry on=%v Exec=%q, want %q", on, execValue, link)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(user); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Disable with the system entry off left %s: %v", user, err)
	}
}

// The package's entry left behind by `apt remove` (a conffile whose TryExec
// program is gone) starts nothing: it does not count, and enabling writes
// the user's own entry.
func TestSystemEntryWithMissingTryExec(t *testing.T) {
	link := installed(t)
	gone := filepath.Join(t.TempDir(), "removed", "traycheck")
	user, _ := systemDirs(t, packageEntry(t, gone))
	if on, _ := Enabled(); on {
		t.Error("Enabled by an entry whose TryExec is missing")
	}
	if err := Enable(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(user)
	if err != nil {
		t.Fatal(err)
	}
	if _, on, execValue := entryState(b); !on || unquoteExec(t, execValue) != link {
		t.Errorf("user entry on=%v Exec=%q, want %q", on, execValue, link)
	}
}
