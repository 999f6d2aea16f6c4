package serial

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Win32 error numbers a COM port open can fail with. They are plain numbers
// here so the classification is tested on every OS.
const (
	winErrFileNotFound     = 2
	winErrPathNotFound     = 3
	winErrAccessDenied     = 5
	winErrSharingViolation = 32
)

// OpenResult is what a gentle open of a device said (TryOpen).
type OpenResult struct {
	// Missing: the open found no such device (Windows: file or path not
	// found). Only Windows answers this way; Linux knows from its stat.
	Missing bool
	// Busy: another process has the device exclusively (Linux: EBUSY from
	// TIOCEXCL; Windows: access denied or a sharing violation).
	Busy bool
	// Err is the open's error text, "" when it succeeded.
	Err string
}

// COMName returns the bare port name of a COM resource path ("COM3" for
// "com3" or `\\.\COM3`), and whether it is one.
func COMName(path string) (string, bool) {
	s := strings.TrimPrefix(path, `\\.\`)
	if len(s) < 4 || !strings.EqualFold(s[:3], "COM") {
		return "", false
	}
	n, err := strconv.Atoi(s[3:])
	if err != nil || n < 1 || n > 256 || s[3] == '0' || s[3] == '+' {
		return "", false
	}
	return "COM" + s[3:], true
}

// COMDevicePath is the Win32 device path CreateFile needs: the `\\.\` form
// is required from COM10 on and works for every port.
func COMDevicePath(name string) string { return `\\.\` + name }

// classifyCOMOpen turns what a CreateFile of a port returned (0 for
// success, else the Win32 error number and its text) into an OpenResult. A
// port another process has open (Windows opens serial ports exclusively)
// fails with access denied or a sharing violation; a port that does not
// exist fails with file or path not found.
func classifyCOMOpen(errno uint32, text string) OpenResult {
	switch errno {
	case 0:
		return OpenResult{}
	case winErrAccessDenied, winErrSharingViolation:
		return OpenResult{Busy: true, Err: text}
	case winErrFileNotFound, winErrPathNotFound:
		return OpenResult{Missing: true, Err: text}
	}
	return OpenResult{Err: text}
}

// SortCOMPorts sorts COM names by number (COM2 before COM10) and drops
// duplicates and names that are not COM ports. The registry's SERIALCOMM
// key lists them in driver load order.
func SortCOMPorts(names []string) []string {
	type port struct {
		n    int
		name string
	}
	var ps []port
	for _, s := range names {
		if name, ok := COMName(s); ok {
			n, _ := strconv.Atoi(name[3:])
			ps = append(ps, port{n, name})
		}
	}
	slices.SortFunc(ps, func(a, b port) int { return cmp.Compare(a.n, b.n) })
	ps = slices.CompactFunc(ps, func(a, b port) bool { return a.n == b.n })
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.name
	}
	return out
}
