package vpnport

import "slices"

// markHiddenOwners decides, for sockets no process was found holding,
// between "held by someone we may not see" and "held by nobody": a socket
// with an inode that no readable process holds, while some processes were
// unreadable and the socket belongs to another user, is OwnerHidden. It
// returns the distinct UIDs of hidden owners, in first-seen order, for one
// Hidden Holder each.
//
// Sockets with inode 0 (TIME_WAIT, request sockets) have no owner by nature,
// and an unfound socket of our own user, or one found while every process
// was readable, is the kernel's (WireGuard, VXLAN, NFS): both stay
// OwnerHidden=false with no PIDs, which diagnosis reads as kernel-owned or
// time-wait.
func markHiddenOwners(socks []Socket, someUnreadable bool, euid uint32) []uint32 {
	var uids []uint32
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 || len(s.PIDs) > 0 || !someUnreadable || s.UID == euid {
			continue
		}
		s.OwnerHidden = true
		if !slices.Contains(uids, s.UID) {
			uids = append(uids, s.UID)
		}
	}
	return uids
}
