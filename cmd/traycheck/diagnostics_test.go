package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/discover"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// diagnosticsConfig writes a config watching one port nobody holds into
// the (temporary) home directory, keeps the machine's policy and VPN
// configuration out, and returns the config as loaded.
func diagnosticsConfig(t testing.TB) *config.Config {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	testPolicy("")
	old := discoverSources
	discoverSources = func() discover.Sources { return discover.Sources{} }
	t.Cleanup(func() { discoverSources = old })
	t.Cleanup(windowsUserDirs(t.Setenv, home, t.Name()))
	if runtime.GOOS == "windows" {
		t.Setenv("LOCALAPPDATA", filepath.Join(home, "cache"))
	}
	c := config.Default()
	c.Source = filepath.Join(home, ".config", "traycheck", "config.toml")
	u, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(u.LocalAddr().(*net.UDPAddr).Port)
	u.Close()
	c.Ports = []vpnport.Resource{{Kind: vpnport.UDP, Port: port}}
	c.Devices = nil
	c.Interval = time.Hour
	text := fmt.Sprintf("[vpn]\nports = [%q]\ndevices = []\n[check]\ninterval = \"1h\"\n", c.Ports[0])
	if err := config.WriteText(c.Source, []byte(text), false); err != nil {
		t.Fatal(err)
	}
	return c
}

// The tray's report is `traycheck report`'s: redacted, written privately to
// the cache directory, and the text handed to the clipboard is the file's.
func TestDiagnosticsWriter(t *testing.T) {
	cfg := diagnosticsConfig(t)
	path, text, err := diagnosticsWriter("", "")(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "traycheck", "traycheck-report.txt"); path != want {
		t.Errorf("report at %s, want %s", path, want)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != string(text) {
		t.Fatalf("file and returned text differ (%v):\n%s\n---\n%s", err, b, text)
	}
	// Windows has no mode bits: there the report inherits the ACL of
	// %LocalAppData%, which only the user, SYSTEM and the administrators
	// may open.
	if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", st.Mode().Perm())
	}
	s := string(text)
	for _, want := range []string{"redaction: user names and home paths replaced", "source: " + filepath.Join("~", ".config", "traycheck", "config.toml") + " > discovery (nothing found) > (embedded default)",
		fmt.Sprintf("ports: %s (user)", cfg.Ports[0]), "vpn: VPN (default)",
		fmt.Sprintf("%s: free", cfg.Ports[0])} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, os.Getenv("HOME")) {
		t.Errorf("report names the home directory:\n%s", s)
	}
}

// BenchmarkDiagnosticsWriter is what one "Copy diagnostics" click costs
// before the clipboard: a probe of one port, the OS facts, the log, the
// atomic write.
func BenchmarkDiagnosticsWriter(b *testing.B) {
	diagnosticsConfig(b)
	w := diagnosticsWriter("", "")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := w(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
