// Package serial finds who has a serial device: UUCP lock files, the
// flock() holders /proc/locks lists, the device node itself (Linux), and COM
// ports (Windows). It returns its own records (Node, Lock, BadLock,
// OpenResult, the SERIALCOMM ports); vpnport turns them into observations.
// The parsers of lock files and /proc/locks are OS-neutral and fuzzed; the
// readers are per OS, and every read of a file others may plant goes
// through safefile.
package serial

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
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
		n := int32(binary.NativeEndian.Uint32(b))
		if n <= 0 {
			return 0, fmt.Errorf("%w: binary PID %d", ErrUUCPLock, n)
		}
		return int(n), nil
	}
	t := bytes.TrimSpace(b)
	if i := bytes.IndexAny(t, " \t\n"); i >= 0 {
		t = t[:i]
	}
	n, ok := parsePID(t)
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

// uucpLockNames lists every name under which a program may have locked the
// device: programs disagree, and a lock missed is a busy device reported
// free. given is the path as configured, resolved the node it leads to
// after symlinks ("" when it cannot be resolved). For each of the two:
//
//   - LCK..<base name>: the FHS form; through a /dev/serial/by-id link or
//     /dev/modem the base is the link's own name (minicom, cu given the
//     link), else the node's (ttyUSB0; cu for /dev/pts/0 writes LCK..0);
//   - LCK..<path below /dev, "/" as "_">: minicom, pppd and gserial for a
//     node in a subdirectory (/dev/pts/0 is LCK..pts_0);
//   - LCK..<path below /dev, "/" as ":">: lockdev's FSSTND name.
//
// The SVR4/lockdev LK.<fs major>.<major>.<minor> name needs the node's
// numbers; see lockdevSVR4Name. Names come back unique, in that order.
func uucpLockNames(given, resolved string) []string {
	var out []string
	add := func(n string) {
		if n != "" && n != "." && n != "/" && !strings.Contains(n, "/") && !slices.Contains(out, "LCK.."+n) {
			out = append(out, "LCK.."+n)
		}
	}
	for _, p := range []string{given, resolved} {
		if p == "" {
			continue
		}
		// Device paths are Unix paths on every OS that has UUCP locks:
		// slash semantics, so the names are the same wherever this runs.
		p = path.Clean(p)
		add(path.Base(p))
		if rel, ok := strings.CutPrefix(p, "/dev/"); ok {
			add(strings.ReplaceAll(rel, "/", "_"))
			add(strings.ReplaceAll(rel, "/", ":"))
		}
	}
	return out
}

// lockdevSVR4Name is the SVR4 lock name lockdev, pppd and RXTX may use:
// "LK." and the major number of the file system holding the node, then the
// node's major and minor, each as at least three decimal digits.
func lockdevSVR4Name(fsMajor, major, minor uint32) string {
	return fmt.Sprintf("LK.%03d.%03d.%03d", fsMajor, major, minor)
}

// ttyFamily splits a device base name into its family prefix and unit
// number: "ttyUSB0" is family "ttyUSB". A name without a trailing number is
// its own family.
func ttyFamily(base string) string {
	return strings.TrimRight(base, "0123456789")
}

// parsePID parses a non-empty run of ASCII digits that is a PID: positive
// and within a 32-bit signed int.
func parsePID(b []byte) (int, bool) {
	n, ok := parseUint(b)
	if !ok || n == 0 || n > 1<<31-1 {
		return 0, false
	}
	return int(n), true
}

// parseUint parses a non-empty run of ASCII digits that fits in 64 bits
// (ParseUint in base 10 takes no sign, space or underscore).
func parseUint(b []byte) (uint64, bool) {
	n, err := strconv.ParseUint(string(b), 10, 64)
	return n, err == nil
}
