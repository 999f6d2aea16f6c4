package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"

	"github.com/traycheck/traycheck/internal/testenv"
)

// TestLoadRefusesReconnectConfigOthersMayWrite is the Windows meaning of
// TestLoadRefusesWritableReconnectConfig: who may write the config or a
// folder above it is in the ACLs, which checkPrivate reads.
func TestLoadRefusesReconnectConfigOthersMayWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "traycheck")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(withReconnect), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err != nil {
		t.Fatalf("a config only this user may write was refused: %v", err)
	}

	// A folder Everyone has full control of (icacls DIR /grant Everyone:F):
	// anyone can replace the config. (Wine keeps a file's ACL as its Unix
	// mode bits, so under Wine this grant becomes o+rwx and reads back as
	// Everyone:(M); the check refuses both.)
	testenv.GrantEveryone(t, dir, windows.GENERIC_ALL)
	cfg, err := Load(p)
	var e *Error
	if cfg != nil || !errors.As(err, &e) {
		t.Fatalf("Load = %v, %v; want refusal", cfg, err)
	}
	if e.File != p || !strings.Contains(e.Msg, "refusing the reconnect command: S-1-1-0 may change "+dir) || !strings.Contains(e.Msg, `icacls "`+dir+`"`) {
		t.Errorf("error %q should name Everyone, the folder and the fix", err)
	}

	// Without a reconnect command the same file runs nothing: accepted.
	if err := os.WriteFile(p, []byte("[vpn]\nname = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err != nil {
		t.Errorf("config without reconnect refused: %v", err)
	}
}
