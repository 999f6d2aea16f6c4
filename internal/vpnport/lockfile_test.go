package vpnport

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

func TestParseUUCPLock(t *testing.T) {
	if nlEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the binary fixture is little-endian")
	}
	for name, want := range map[string]int{
		"LCK..ttyUSB0":          1234, // FHS: ten ASCII characters and a newline
		"LCK..ttyS0.binary":     4321, // old binary int32
		"LCK..ttyACM0.minicom":  2222, // PID followed by program and user
		"LCK..ttyUSB1.garbage":  0,
		"LCK..ttyUSB2.empty":    0,
		"LCK..ttyUSB3.negative": 0,
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "uucp", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseUUCPLock(b)
		if want == 0 {
			if !errors.Is(err, ErrUUCPLock) {
				t.Errorf("%s: PID %d, %v from a lock without one", name, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s: %d %v, want %d", name, got, err, want)
		}
	}
	// Four bytes of digits, spaces and newlines are text, not a binary int:
	// remove-lock once read "123\n" as 0x0a333231 and refused to act.
	for in, want := range map[string]int{"4321": 4321, "123\n": 123, " 42\n": 42, "  7 ": 7} {
		if got, err := ParseUUCPLock([]byte(in)); err != nil || got != want {
			t.Errorf("text lock %q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "\n", "0\n", "-5\n", "99999999999999999999\n", "\x00\x00\x00\x00", "\xff\xff\xff\xff",
		"hello world\n", strings.Repeat(" ", MaxUUCPLockSize) + "1\n"} {
		if pid, err := ParseUUCPLock([]byte(bad)); !errors.Is(err, ErrUUCPLock) {
			t.Errorf("ParseUUCPLock(%.20q) = %d, %v, want ErrUUCPLock", bad, pid, err)
		}
	}
}

func TestUUCPNames(t *testing.T) {
	for dev, want := range map[string]string{
		"/dev/ttyUSB0":                          "LCK..ttyUSB0",
		"/dev/serial/by-id/usb-gone-if00-port0": "LCK..usb-gone-if00-port0", // unresolvable: as given
		"/dev/pts/3":                            "LCK..3",
	} {
		if _, err := os.Lstat(dev); err == nil {
			continue // exists here: the name follows what it resolves to
		}
		if got := uucpLockName(dev); got != want {
			t.Errorf("%s: %s, want %s", dev, got, want)
		}
	}
	for base, want := range map[string]string{"ttyUSB0": "ttyUSB", "ttyS12": "ttyS", "modem": "modem", "3": ""} {
		if got := ttyFamily(base); got != want {
			t.Errorf("%s: family %q, want %q", base, got, want)
		}
	}
}

// TestUUCPNameFollowsSymlinks: a by-id link (two levels of links, relative
// like udev's) is locked under the name of the node it points to.
func TestUUCPNameFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	node := filepath.Join(dir, "dev", "ttyUSB0")
	if err := os.MkdirAll(filepath.Join(dir, "dev", "serial", "by-id"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(node, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	byID := filepath.Join(dir, "dev", "serial", "by-id", "usb-FTDI_FT232R_A1-if00-port0")
	if err := os.Symlink("../../ttyUSB0", byID); err != nil {
		testenv.Missing(t, "symlinks: %v", err)
	}
	alias := filepath.Join(dir, "modem")
	if err := os.Symlink(byID, alias); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{node, byID, alias} {
		if got := uucpLockName(p); got != "LCK..ttyUSB0" {
			t.Errorf("%s: %s, want LCK..ttyUSB0", p, got)
		}
	}
}

// FuzzParseUUCPLock: no panic, never a non-positive PID without an error,
// and inputs longer than a lock are refused without being looked at.
func FuzzParseUUCPLock(f *testing.F) {
	for _, s := range []string{"      1234\n", "\xe1\x10\x00\x00", "2222 minicom\n", "123\n", "", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pid, err := ParseUUCPLock(b)
		if err == nil && pid <= 0 {
			t.Fatalf("%q: non-positive PID %d without an error", b, pid)
		}
		if err == nil && len(b) > MaxUUCPLockSize {
			t.Fatalf("%d bytes accepted as a lock", len(b))
		}
	})
}

func BenchmarkParseUUCPLock(b *testing.B) {
	lock := []byte("      4242\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseUUCPLock(lock); err != nil {
			b.Fatal(err)
		}
	}
}
