// Package testenv lets tests that need a real component (a dbus-daemon, a tray
// host, root for setpriv) say so. Outside CI a missing component skips the
// test with the reason; in CI (CI=true, or TRAYCHECK_REQUIRE_ALL=1) it fails
// loudly, because a green run that skipped the real parts proves nothing.
package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// Strict reports whether missing components must fail tests instead of
// skipping them.
func Strict() bool {
	return os.Getenv("CI") == "true" || os.Getenv("TRAYCHECK_REQUIRE_ALL") == "1"
}

// Missing skips (or, when Strict, fails) t because a component is missing.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("required test component missing (CI must provide it): "+format, args...)
	}
	t.Skipf("component missing: "+format, args...)
}

// LookPath returns the path of a program the test needs, or calls Missing.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "program %q not on PATH", name)
	}
	return p
}

// Root requires the test to run as root (setpriv, binding privileged ports).
func Root(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "test needs root")
	}
}

// Env returns the value of an environment variable the test needs, or calls
// Missing.
func Env(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		Missing(t, "environment variable %s not set (run under scripts/with-desktop.sh)", name)
	}
	return v
}

// SyncBuffer is a bytes.Buffer safe for concurrent use: a server or child
// process writes its log from its own goroutines while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
