package vpnport

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// MaxUUCPLockSize bounds what is read of a UUCP lock file: the FHS format is
// 11 bytes, a writer that appends its name and user stays far below this.
// ParseUUCPLock refuses anything longer, so a file that is not a lock is
// never taken for one.
const MaxUUCPLockSize = 128

// ErrUUCPLock is wrapped by ParseUUCPLock's errors: the file holds no PID.
var ErrUUCPLock = errors.New("lock file holds no PID")

// ParseUUCPLock reads the PID out of a UUCP device lock file (LCK..ttyUSB0).
// The FHS/HDB format is the PID in ASCII, space-padded to ten characters,
// and a newline ("      1234\n"); some writers add the program and user
// after it ("1234 minicom user"). Old Kermit/UUCP programs wrote the PID as a
// binary 4-byte int in host order: a 4-byte file is read so only when it is
// not digits, spaces and newlines, because "123\n" is a text lock.
//
// It is the one decoder of these files: the probe reports the PID it returns
// and remove-lock re-reads the file with it before deleting, so the two can
// never disagree about the same bytes.
func ParseUUCPLock(b []byte) (int, error) {
	if len(b) > MaxUUCPLockSize {
		return 0, fmt.Errorf("%w: %d bytes, a lock has at most %d", ErrUUCPLock, len(b), MaxUUCPLockSize)
	}
	if len(b) == 4 && !uucpIsASCII(b) {
		n := int32(nlEndian.Uint32(b))
		if n <= 0 {
			return 0, fmt.Errorf("%w: binary PID %d", ErrUUCPLock, n)
		}
		return int(n), nil
	}
	t := bytes.TrimSpace(b)
	if i := bytes.IndexAny(t, " \t\n"); i >= 0 {
		t = t[:i]
	}
	n, ok := procPID(t)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUUCPLock, b)
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

// uucpLockName is the UUCP lock name for a device path: "LCK.." and the base
// name of the device node itself. Symlinks are resolved first, because
// programs that lock a modem (minicom, pppd, ModemManager) name the lock
// after the node: /dev/serial/by-id/usb-FTDI_...-if00-port0 is locked as
// LCK..ttyUSB0. A path that cannot be resolved (the device is gone) is
// named as it was given.
func uucpLockName(dev string) string {
	if real, err := filepath.EvalSymlinks(dev); err == nil {
		dev = real
	}
	return "LCK.." + filepath.Base(dev)
}

// ttyFamily splits a device base name into its family prefix and unit
// number: "ttyUSB0" is family "ttyUSB". A name without a trailing number is
// its own family.
func ttyFamily(base string) string {
	return strings.TrimRight(base, "0123456789")
}
