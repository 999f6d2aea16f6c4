package explain

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func goosIsNotWindows() bool { return runtime.GOOS != "windows" }

var devNullLink string

// devNull is a link outside /dev to a character device (/dev/null), or ""
// where there is none to link.
func devNull() string { return devNullLink }

func TestMain(m *testing.M) {
	dir := ""
	if runtime.GOOS != "windows" {
		if d, err := os.MkdirTemp("", "traycheck-explain"); err == nil {
			dir = d
			l := filepath.Join(dir, "modem")
			if os.Symlink("/dev/null", l) == nil {
				devNullLink = l
			}
		}
	}
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
