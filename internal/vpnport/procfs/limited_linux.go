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
	b, err := r.readAt(unix.AT_FDCWD, r.Dir()+"/self/mountinfo", maxMountinfo)
	return err == nil && HidesPIDs(b, r.Dir())
}
