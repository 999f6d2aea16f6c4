package procfs

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// maxMountinfo bounds the read of /proc/self/mountinfo: thousands of
// mounts (containers, snaps) fit many times over.
const maxMountinfo = 16 << 20

// Limited reports whether the procfs cannot list every process of the
// machine. In the initial PID namespace PID 2 is always the kernel's
// kthreadd; in a container's namespace (or a sandbox's, Flatpak, Snap) it is
// not there or is something else. A procfs mounted with hidepid=2 hides
// other users' processes without an EACCES to notice. Either way an unfound
// socket may have an owner we cannot see.
func (r *Reader) Limited() bool {
	comm, err := r.Read("2/comm")
	if err != nil || string(bytes.TrimSpace(comm)) != "kthreadd" {
		return true
	}
	fd, err := unix.Open(r.Dir()+"/self/mountinfo", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	// A buffer of its own, dropped after: read into the Reader's shared
	// one, a machine with thousands of mounts would keep that buffer
	// megabytes large for the tray's lifetime.
	b, err := ReadFD(fd, make([]byte, 16<<10), maxMountinfo)
	return err == nil && HidesPIDs(b, r.Dir())
}
