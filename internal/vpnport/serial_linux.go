package vpnport

import (
	"errors"
	"io/fs"

	"github.com/traycheck/traycheck/internal/vpnport/serial"
)

// linuxStatDevice stats the device resource of o and records what it found
// there: a character device (and its USB id), nothing (and the devices of
// its family that do exist), something behind a directory we may not
// search (never "free"), or something that is no device (missing, never
// "free"). The node is what the walk and the lock look-ups match against.
func linuxStatDevice(o *Observation) serial.Node {
	n, err := serial.Stat(o.Resource.Path)
	switch {
	case err == nil:
		o.Exists = true
		o.USBID = linuxUSBID(o.Resource.Path)
	case errors.Is(err, fs.ErrNotExist):
		o.Exists = false
		o.Available = serial.Siblings(o.Resource.Path, sysTTYRoot)
	case errors.Is(err, fs.ErrPermission):
		o.Exists = true
		o.Unseen = true
		o.OpenErr = err.Error()
	default:
		o.Exists = false
		o.OpenErr = err.Error()
	}
	return n
}

// linuxLockFile returns the device's UUCP lock that matters most and the
// first file at a lock name that is no lock (see serial.FindLock).
func linuxLockFile(dev string, n serial.Node) (*LockFile, *BadLock) {
	l, b := serial.FindLock(lockDirs, dev, n)
	var lock *LockFile
	if l != nil {
		lock = &LockFile{Path: l.Path, PID: l.PID, Alive: l.Alive}
	}
	var bad *BadLock
	if b != nil {
		bad = &BadLock{Path: b.Path, Why: b.Why}
	}
	return lock, bad
}

// linuxTryOpen opens the device the gentlest way and records whether it is
// busy (see serial.TryOpen).
func linuxTryOpen(o *Observation) {
	if r := serial.TryOpen(o.Resource.Path); r.Err != "" {
		o.Busy = o.Busy || r.Busy
		o.OpenErr = r.Err
	}
}
