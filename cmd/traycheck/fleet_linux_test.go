package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// `traycheck watch --textfile DIR` (the real binary) keeps DIR/traycheck.prom
// current from its first check on; node_exporter reading it is tested in
// internal/fleet. A directory that does not exist is a usage error.
func TestWatchTextfile(t *testing.T) {
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatalf("testscript should have put traycheck on PATH: %v", err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "watch.toml")
	os.WriteFile(cfg, []byte("[vpn]\nports = [\"udp/1194\"]\n[check]\ninterval = \"1h\"\n"), 0o600)
	env := append(os.Environ(), "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+dir, "HOME="+dir)

	bad := exec.Command(bin, "watch", "--config", cfg, "--textfile", filepath.Join(dir, "absent"))
	bad.Env = env
	if out, err := bad.CombinedOutput(); err == nil || bad.ProcessState.ExitCode() != exitUsage || !strings.Contains(string(out), "not a directory") {
		t.Fatalf("absent dir: %v %s", err, out)
	}

	tf := filepath.Join(dir, "textfile")
	os.Mkdir(tf, 0o755)
	cmd := exec.Command(bin, "watch", "--config", cfg, "--textfile", tf)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	var text string
	testenv.WaitFor(t, 10*time.Second, "traycheck.prom", func() bool {
		b, err := os.ReadFile(filepath.Join(tf, "traycheck.prom"))
		text = string(b)
		return err == nil
	})
	for _, want := range []string{"traycheck_check_success 1", `traycheck_resource_conflict{resource="udp/1194",cause="`} {
		if !strings.Contains(text, want) {
			t.Errorf("traycheck.prom lacks %s:\n%s", want, text)
		}
	}
}
