package serial

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseUUCPLock(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
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
	for _, tc := range []struct {
		given, resolved string
		want            []string
	}{
		{"/dev/ttyUSB0", "/dev/ttyUSB0", []string{"LCK..ttyUSB0"}},
		// minicom for /dev/pts/0 writes LCK..pts_0, cu LCK..0, lockdev LCK..pts:0.
		{"/dev/pts/0", "/dev/pts/0", []string{"LCK..0", "LCK..pts_0", "LCK..pts:0"}},
		// A by-id link: the link's own names first, then the node's.
		{"/dev/serial/by-id/usb-FTDI_A1-if00-port0", "/dev/ttyUSB0", []string{"LCK..usb-FTDI_A1-if00-port0",
			"LCK..serial_by-id_usb-FTDI_A1-if00-port0", "LCK..serial:by-id:usb-FTDI_A1-if00-port0", "LCK..ttyUSB0"}},
		{"/dev/modem", "/dev/ttyS1", []string{"LCK..modem", "LCK..ttyS1"}},
		// Unplugged: the link no longer resolves; its name is all there is.
		{"/dev/serial/by-id/usb-gone", "", []string{"LCK..usb-gone", "LCK..serial_by-id_usb-gone", "LCK..serial:by-id:usb-gone"}},
		// Outside /dev only base names make sense.
		{"/tmp/x/modem", "/dev/pts/3", []string{"LCK..modem", "LCK..3", "LCK..pts_3", "LCK..pts:3"}},
	} {
		if got := uucpLockNames(tc.given, tc.resolved); !slices.Equal(got, tc.want) {
			t.Errorf("uucpLockNames(%q, %q) = %q, want %q", tc.given, tc.resolved, got, tc.want)
		}
	}
	if got := lockdevSVR4Name(0, 188, 0); got != "LK.000.188.000" {
		t.Errorf("SVR4 name = %s", got)
	}
	for base, want := range map[string]string{"ttyUSB0": "ttyUSB", "ttyS12": "ttyS", "modem": "modem", "3": ""} {
		if got := ttyFamily(base); got != want {
			t.Errorf("%s: family %q, want %q", base, got, want)
		}
	}
}

func TestParseProcLocks(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "proclocks", "mixed"))
	if err != nil {
		t.Fatal(err)
	}
	// 00:1a:3 is /dev/pts/N's devpts inode: the FLOCK holder and a POSIX
	// lock; not the waiter (->), not another inode or device, not garbage.
	if got := parseProcLocks(b, 0, 0x1a, 3, nil); !slices.Equal(got, []int{27491, 30003}) {
		t.Errorf("holders = %v, want [27491 30003]", got)
	}
	if got := parseProcLocks(b, 0, 0x1a, 99, nil); len(got) != 0 {
		t.Errorf("holders of an unlocked inode = %v", got)
	}
}

func FuzzParseProcLocks(f *testing.F) {
	f.Add([]byte("1: FLOCK  ADVISORY  WRITE 27491 00:1a:3 0 EOF\n"))
	f.Add([]byte("1: -> FLOCK ADVISORY WRITE 1 00:1a:3 0 EOF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, pid := range parseProcLocks(b, 0, 0x1a, 3, nil) {
			if pid <= 0 {
				t.Fatalf("%q: PID %d", b, pid)
			}
		}
	})
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

func BenchmarkParseProcLocks(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "proclocks", "mixed"))
	if err != nil {
		b.Fatal(err)
	}
	pids := make([]int, 0, 4)
	b.ReportAllocs()
	for b.Loop() {
		pids = parseProcLocks(data, 0, 0x1a, 3, pids[:0])
	}
}
