//go:build !windows

package autostart

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// printExecutableEnv makes the test binary print what executable() returns.
const printExecutableEnv = "TRAYCHECK_AUTOSTART_PRINT_EXECUTABLE"

func TestMain(m *testing.M) {
	if os.Getenv(printExecutableEnv) != "" {
		exe, err := executable()
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString(exe)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// installed lays out an install the way a package manager does, outside
// the temporary directory (TMPDIR moves to a subdirectory for the test): a
// stable link bin/traycheck to a versioned opt/traycheck-1.2/traycheck. It
// makes executable() report the running binary as started through the link,
// and returns the link.
func installed(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	t.Setenv("TMPDIR", filepath.Join(base, "tmp"))
	real := filepath.Join(base, "opt", "traycheck-1.2", "traycheck")
	link := filepath.Join(base, "bin", "traycheck")
	for _, d := range []string{filepath.Dir(real), filepath.Dir(link)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(real, []byte("#!/bin/false\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../opt/traycheck-1.2/traycheck", link); err != nil {
		t.Fatal(err)
	}
	old := executable
	executable = func() (string, error) { return launchPath(link, real), nil }
	t.Cleanup(func() { executable = old })
	return link
}

// TestExecutableKeepsTheLinkItRanAs runs a real process through a symlink
// found in PATH, the way a shell starts an installed program: the entry must
// name the link (on Linux os.Executable alone gives the resolved file).
func TestExecutableKeepsTheLinkItRanAs(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(bin, "traycheck")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, argv0 string }{
		{"bare name looked up in PATH", "traycheck"},
		{"absolute path", link},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(link)
			cmd.Args = []string{tc.argv0}
			cmd.Env = append(os.Environ(), printExecutableEnv+"=1", "PATH="+bin+string(filepath.ListSeparator)+os.Getenv("PATH"))
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != link {
				t.Errorf("executable() = %q, want the link it ran as %q", out, link)
			}
		})
	}
	// A bare argv[0] that names another program falls back to the binary.
	if got := launchPath("sh", self); got != self {
		t.Errorf("launchPath(sh) = %q, want the running binary %q", got, self)
	}
}

func TestTemporaryBuildRefused(t *testing.T) {
	base := t.TempDir()
	tmp := filepath.Join(base, "tmp")
	t.Setenv("TMPDIR", tmp)
	t.Setenv("GOCACHE", filepath.Join(base, "cache"))
	// A link in a stable place to a binary go run left in the temporary
	// directory is as temporary as the binary.
	built := filepath.Join(tmp, "b001", "exe", "traycheck")
	os.MkdirAll(filepath.Dir(built), 0o755)
	os.WriteFile(built, nil, 0o755)
	linked := filepath.Join(base, "bin", "traycheck")
	os.MkdirAll(filepath.Dir(linked), 0o755)
	if err := os.Symlink(built, linked); err != nil {
		t.Fatal(err)
	}
	for exe, want := range map[string]bool{
		"/tmp/go-build2911212876/b001/exe/traycheck":                      true, // go run, first time
		"/home/ann/.cache/go-build/3a/3a9e7abfb618202e35-d/traycheck":     true, // go run, cached
		filepath.Join(base, "cache", "3a", "3a9e7abfb618-d", "traycheck"): true, // custom GOCACHE
		filepath.Join(tmp, "x", "traycheck"):                              true,
		linked:                                                            true,
		"/usr/local/bin/traycheck":                                        false,
		"/home/ann/go/bin/traycheck":                                      false,
		filepath.Join(base, "tmpfoo", "traycheck"):                        false, // a sibling, not inside
	} {
		if got := temporaryBuild(exe); got != want {
			t.Errorf("temporaryBuild(%s) = %v, want %v", exe, got, want)
		}
	}

	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("XDG_CONFIG_DIRS", t.TempDir()) // no system entry, whatever this machine has installed
	old := executable
	t.Cleanup(func() { executable = old })
	executable = func() (string, error) { return "/tmp/go-build2911212876/b001/exe/traycheck", nil }
	err := Enable()
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "go install ./cmd/traycheck") {
		t.Fatalf("Enable from a go run build: %v, want ErrNotInstalled", err)
	}
	if _, err := os.Stat(filepath.Join(cfg, "autostart", "traycheck.desktop")); !os.IsNotExist(err) {
		t.Fatalf("an entry was written for a temporary build: %v", err)
	}
	// This test binary is such a build itself (go test builds in go-build*).
	executable = old
	if self, _ := os.Executable(); strings.Contains(self, "go-build") {
		if err := Enable(); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("Enable from the go test binary %s: %v, want ErrNotInstalled", self, err)
		}
	}
}
