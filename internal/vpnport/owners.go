package vpnport

import "slices"

// procView says how much of the machine's processes the /proc walk saw.
type procView struct {
	// unreadable: some processes' fds could not be read (EACCES).
	unreadable bool
	// limited: some processes are not even listed (hidepid, a nested PID
	// namespace such as a container, Flatpak or Snap).
	limited bool
}

// markHiddenOwners decides, for sockets no process was found holding,
// between "held by someone we may not see" and "held by nobody". It returns
// the distinct UIDs of hidden owners, in first-seen order, for one Hidden
// Holder each.
//
// An unfound socket is the kernel's (WireGuard, VXLAN, NFS) only when the
// walk could have found its owner: as root with every process listed and
// readable, or, unprivileged, for a socket of our own user. Otherwise it is
// held by someone we may not see: never "kernel", never "free", because a
// wrong "kernel-owned" turns into a reboot suggestion after a wake. Sockets
// with inode 0 (TIME_WAIT, request sockets) have no owner by nature.
func markHiddenOwners(socks []Socket, v procView, euid uint32) []uint32 {
	var uids []uint32
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 || len(s.PIDs) > 0 {
			continue
		}
		if !v.limited && (s.UID == euid || (euid == 0 && !v.unreadable)) {
			continue
		}
		s.OwnerHidden = true
		if !slices.Contains(uids, s.UID) {
			uids = append(uids, s.UID)
		}
	}
	return uids
}
