package vpnport

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUUCPParseLock(t *testing.T) {
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
		got, err := uucpParseLock(b)
		if want == 0 {
			if err == nil {
				t.Errorf("%s: PID %d from a lock without one", name, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s: %d %v, want %d", name, got, err, want)
		}
	}
	// Four ASCII digits are text, not a binary int.
	if got, err := uucpParseLock([]byte("4321")); err != nil || got != 4321 {
		t.Errorf("4-digit text lock: %d %v", got, err)
	}
}

func TestUUCPNames(t *testing.T) {
	for dev, want := range map[string]string{
		"/dev/ttyUSB0":                 "LCK..ttyUSB0",
		"/dev/serial/by-id/usb-x-if00": "LCK..usb-x-if00",
		"/dev/pts/3":                   "LCK..3",
	} {
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

func FuzzUUCPParseLock(f *testing.F) {
	for _, s := range []string{"      1234\n", "\xe1\x10\x00\x00", "2222 minicom\n", "", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if pid, err := uucpParseLock(b); err == nil && pid <= 0 {
			t.Fatalf("%q: non-positive PID %d without an error", b, pid)
		}
	})
}
