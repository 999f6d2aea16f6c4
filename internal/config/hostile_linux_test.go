package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/safefile"
)

// TestDevicesMustBeCharacterDevices plants what issue 17 found reported as
// "free": a FIFO, a directory, a /proc file and a regular file listed as
// devices. Each is refused with its position; a real character device, a
// link to one and a device that is not plugged in are accepted.
func TestDevicesMustBeCharacterDevices(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "ttyFIFO")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "ttyPlain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "by-id-link")
	if err := os.Symlink("/dev/null", link); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{fifo, "is a named pipe (FIFO), not a character device"},
		{dir, "is a directory, not a character device"},
		{"/proc/self/status", "is a regular file, not a character device"},
		{plain, "is a regular file"},
	} {
		src := "[vpn]\ndevices = [\"/dev/null\",\n  " + strconv.Quote(tt.path) + "]\n"
		_, err := Parse("dev.toml", []byte(src))
		if err == nil || !strings.HasPrefix(err.Error(), "dev.toml:3:3: device "+strconv.Quote(tt.path)) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want dev.toml:3:3 ... %s", tt.path, err, tt.want)
		}
	}
	src := "[vpn]\ndevices = [\"/dev/null\", " + strconv.Quote(link) + ", \"/dev/ttyUSB97\"]\n"
	if _, err := Parse("dev.toml", []byte(src)); err != nil {
		t.Errorf("good devices refused: %v", err)
	}
}

// TestLoadNeverHangs gives Load a FIFO nobody writes, a FIFO whose writer
// never closes, and /dev/zero (reached through a link, as a planted config
// would be): each is refused at once as not a regular file, where a
// blocking open or an unbounded read hung or spun before. The bound only
// catches a hang.
func TestLoadNeverHangs(t *testing.T) {
	dir := t.TempDir()
	idle := filepath.Join(dir, "idle.toml")
	if err := unix.Mkfifo(idle, 0o600); err != nil {
		t.Fatal(err)
	}
	fed := filepath.Join(dir, "fed.toml")
	if err := unix.Mkfifo(fed, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(fed, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := os.OpenFile(fed, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write([]byte("[vpn]\n"))
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{idle, fed, zero} {
		done := make(chan error, 1)
		go func() { _, err := Load(p); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, safefile.ErrNotRegular) || !strings.Contains(err.Error(), "want a TOML file") {
				t.Errorf("%s: got %v, want a refusal as not a regular file", filepath.Base(p), err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Load(%s) hung", filepath.Base(p))
		}
	}
}
