package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A device entry that no stat can resolve (a symbolic link loop, a path
// through a regular file) was accepted and then reported "free" by check:
// it is refused with its position, while a dangling link (an unplugged
// adapter's by-id name) stays a missing device.
func TestDeviceEntryThatCannotBeResolved(t *testing.T) {
	dir := t.TempDir()
	loop := filepath.Join(dir, "ttyLoop")
	if err := os.Symlink(filepath.Base(loop), loop); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "ttyA"), filepath.Join(dir, "ttyB")
	os.Symlink(b, a)
	os.Symlink(a, b)
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, nil, 0o600)
	for _, tt := range []struct{ path, want string }{
		{loop, "is a symbolic link loop (it never leads to a device), not a character device"},
		{a, "is a symbolic link loop"},
		{filepath.Join(plain, "ttyUSB0"), "cannot be resolved to a device"},
	} {
		src := "[vpn]\ndevices = [" + strconv.Quote(tt.path) + "]\n"
		_, err := Parse("dev.toml", []byte(src))
		if err == nil || !strings.HasPrefix(err.Error(), "dev.toml:2:12: device "+strconv.Quote(tt.path)) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want dev.toml:2:12 ... %s", tt.path, err, tt.want)
		}
	}
	dangling := filepath.Join(dir, "usb-Huawei-if00")
	os.Symlink(filepath.Join(dir, "gone"), dangling)
	if _, err := Parse("dev.toml", []byte("[vpn]\ndevices = ["+strconv.Quote(dangling)+"]\n")); err != nil {
		t.Errorf("an unplugged device's link refused: %v", err)
	}
}
