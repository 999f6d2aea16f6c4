package vpnport

// unhideKernelSockets and the kernel tunnel lookups (package tunnels) that
// decide when to use it.

// unhideKernelSockets undoes markHiddenOwners for root's unowned sockets on
// a port the kernel reported a tunnel interface on: unprivileged, they look
// like a hidden root process's, but they are the interface's. It returns
// the hidden UIDs left.
func unhideKernelSockets(socks []Socket, uids []uint32) []uint32 {
	for i := range socks {
		if socks[i].OwnerHidden && socks[i].UID == 0 {
			socks[i].OwnerHidden = false
		}
	}
	out := uids[:0]
	for _, u := range uids {
		if u != 0 {
			out = append(out, u)
		}
	}
	return out
}
