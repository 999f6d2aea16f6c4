package serial

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// TryOpen opens a port the way a dialer would (exclusive read/write) and
// closes it at once, so a free port is never held for longer than the
// call. path is the Win32 device path (COMDevicePath for a COM port).
func TryOpen(path string) OpenResult {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		// A name with a NUL in it names no device.
		return OpenResult{Missing: true, Err: err.Error()}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0)
	if err == nil {
		windows.CloseHandle(h)
		return OpenResult{}
	}
	errno := ^uint32(0)
	var e syscall.Errno
	if errors.As(err, &e) {
		errno = uint32(e)
	}
	return classifyCOMOpen(errno, err.Error())
}
