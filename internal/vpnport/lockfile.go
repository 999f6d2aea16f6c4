package vpnport

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
)

var errUUCPLock = errors.New("lock file holds no PID")

// uucpParseLock reads the PID out of a UUCP lock file (LCK..ttyUSB0). The
// FHS format is the PID as ten ASCII characters and a newline ("      1234\n");
// old Kermit/UUCP programs wrote the PID as a binary 4-byte int in host order.
// A 4-byte file that is not all digits and spaces is taken as binary.
func uucpParseLock(b []byte) (int, error) {
	if len(b) == 4 && !uucpIsASCII(b) {
		n := int32(nlEndian.Uint32(b))
		if n <= 0 {
			return 0, errUUCPLock
		}
		return int(n), nil
	}
	t := bytes.TrimSpace(b)
	// Some writers add the program name after the PID ("1234 minicom").
	if i := bytes.IndexAny(t, " \t\n"); i >= 0 {
		t = t[:i]
	}
	n, ok := procPID(t)
	if !ok {
		return 0, errUUCPLock
	}
	return n, nil
}

func uucpIsASCII(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && c != ' ' && c != '\n' {
			return false
		}
	}
	return true
}

// uucpLockName is the UUCP lock name for a device path: "LCK.." and the
// base name, so /dev/ttyUSB0 and /dev/serial/../ttyUSB0 share one lock.
func uucpLockName(dev string) string {
	return "LCK.." + filepath.Base(dev)
}

// ttyFamily splits a device base name into its family prefix and unit
// number: "ttyUSB0" is family "ttyUSB". A name without a trailing number is
// its own family.
func ttyFamily(base string) string {
	return strings.TrimRight(base, "0123456789")
}
