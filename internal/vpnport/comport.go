package vpnport

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

// comName returns the bare port name of a COM resource path ("COM3" for
// "com3" or `\\.\COM3`), and whether it is one.
func comName(path string) (string, bool) {
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

// comDevicePath is the Win32 device path CreateFile needs: the `\\.\` form
// is required from COM10 on and works for every port.
func comDevicePath(name string) string { return `\\.\` + name }

// comClassifyOpen records in o what a CreateFile of the port returned: 0 for
// success, else the Win32 error number and its text. A port another process
// has open (Windows opens serial ports exclusively) fails with access denied
// or a sharing violation; a port that does not exist fails with file or path
// not found.
func comClassifyOpen(o *Observation, errno uint32, text string) {
	o.Exists = true
	switch errno {
	case 0:
	case winErrAccessDenied, winErrSharingViolation:
		o.Busy = true
		o.OpenErr = text
	case winErrFileNotFound, winErrPathNotFound:
		o.Exists = false
		o.OpenErr = text
	default:
		o.OpenErr = text
	}
}

// comSortPorts sorts COM names by number (COM2 before COM10) and drops
// duplicates and names that are not COM ports. The registry's SERIALCOMM
// key lists them in driver load order.
func comSortPorts(names []string) []string {
	type port struct {
		n    int
		name string
	}
	var ps []port
	for _, s := range names {
		if name, ok := comName(s); ok {
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
