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

func TestEnableDisable(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_CONFIG_DIRS", t.TempDir()) // no system entry, whatever this machine has installed
	entry := filepath.Join(cfg, "autostart", "traycheck.desktop")
	link := installed(t)

	if on, err := Enabled(); on || err != nil {
		t.Fatalf("Enabled before Enable = %v, %v", on, err)
	}
	if err := Disable(); err != nil {
		t.Fatalf("Disable with no entry: %v", err)
	}
	for range 2 { // enabling twice is harmless
		if err := Enable(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	// The entry starts the binary by its stable link, not the versioned
	// file the link points at today.
	_, _, execValue := entryState(b)
	if got := unquoteExec(t, execValue); got != link {
		t.Errorf("Exec runs %q, want the installed link %q", got, link)
	}
	if out, err := exec.Command(testenv.LookPath(t, "desktop-file-validate"), entry).CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("desktop-file-validate: %v %s", err, out)
	}
	if on, err := Enabled(); !on || err != nil {
		t.Errorf("Enabled after Enable = %v, %v", on, err)
	}
	if s, _ := Status(); !strings.HasPrefix(s, "enabled: "+entry+" (written by traycheck)") {
		t.Errorf("Status = %q", s)
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("entry still there after Disable: %v", err)
	}
	if s, _ := Status(); !strings.HasPrefix(s, "disabled") {
		t.Errorf("Status after Disable = %q", s)
	}
}

func TestForeignEntryIsLeftAlone(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_CONFIG_DIRS", t.TempDir()) // no system entry, whatever this machine has installed
	installed(t)
	entry := filepath.Join(cfg, "autostart", "traycheck.desktop")
	os.MkdirAll(filepath.Dir(entry), 0o755)
	mine := []byte("[Desktop Entry]\nType=Application\nName=traycheck\nExec=/home/ann/bin/traycheck --debug\n")
	if err := os.WriteFile(entry, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Enable(); !errors.Is(err, ErrForeign) {
		t.Errorf("Enable over the user's entry: %v, want ErrForeign", err)
	}
	if err := Disable(); !errors.Is(err, ErrForeign) {
		t.Errorf("Disable of the user's entry: %v, want ErrForeign", err)
	}
	if b, _ := os.ReadFile(entry); !bytes.Equal(b, mine) {
		t.Errorf("the user's entry was changed:\n%s", b)
	}
	if on, _ := Enabled(); !on {
		t.Error("the user's entry does start traycheck, but Enabled says no")
	}
	if s, _ := Status(); !strings.Contains(s, "not written by traycheck") {
		t.Errorf("Status = %q", s)
	}
}
