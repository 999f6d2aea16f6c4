package vpnport

import (
	"bytes"
	"strconv"
	"strings"
)

// An unprivileged probe cannot read another user's fd table, so a port held
// by root's openvpn shows only as "a process of user root". Its comm and
// cmdline stay readable (unless /proc is mounted with hidepid), so the probe
// can still list which configured VPN clients of that user run; diagnosis
// decides whether one of them fits the port.

// commMatches reports whether a process's comm is one of names. The kernel
// cuts comm to 15 bytes ("nm-openvpn-serv"), so a full-length comm matches a
// longer name it begins.
func commMatches(comm string, names []string) bool {
	for _, n := range names {
		if strings.EqualFold(comm, n) || (len(comm) == 15 && len(n) > 15 && strings.EqualFold(n[:15], comm)) {
			return true
		}
	}
	return false
}

// candidateOf reports whether a process of uid may hold a socket of one of
// the owner UIDs. A socket belongs to the user who created it: a daemon that
// opened its port as root and then dropped to nobody (openvpn --user,
// dnsmasq) holds a root socket, so any user's process may hold root's.
func candidateOf(uid uint32, owners []uint32) bool {
	for _, o := range owners {
		if o == uid || o == 0 {
			return true
		}
	}
	return false
}

// procNetHasInode reports whether a /proc/PID/net/{tcp,tcp6,udp,udp6}
// table lists a socket with one of the inodes. Those tables are readable for
// every process and show the sockets of that process's network namespace,
// so a client running in another namespace (a container's openvpn) is no
// candidate for a socket in ours.
func procNetHasInode(b []byte, inodes []uint64) bool {
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		f := bytes.Fields(line)
		if len(f) < 10 {
			continue
		}
		n, err := strconv.ParseUint(string(f[9]), 10, 64)
		if err != nil {
			continue // the header
		}
		for _, i := range inodes {
			if n == i {
				return true
			}
		}
	}
	return false
}
