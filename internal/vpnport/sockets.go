package vpnport

// Sockets from sock_diag: package sockdiag returns the kernel's entries;
// here they become Sockets, with states named as ss names them.

import (
	"fmt"

	"github.com/traycheck/traycheck/internal/vpnport/sockdiag"
)

// tcpStateNames maps the kernel's TCP states (include/net/tcp_states.h) to
// State. UDP uses the same numbers: 7 (CLOSE) is a bound unconnected socket,
// which ss calls UNCONN, and 1 is a connected one.
var tcpStateNames = [...]State{
	1:  StateEstablished,
	2:  "SYN_SENT",
	3:  "SYN_RECV",
	4:  "FIN_WAIT1",
	5:  "FIN_WAIT2",
	6:  StateTimeWait,
	7:  StateUnconn,
	8:  "CLOSE_WAIT",
	9:  "LAST_ACK",
	10: StateListen,
	11: "CLOSING",
	12: "NEW_SYN_RECV",
}

func inetStateName(s uint8) State {
	if int(s) < len(tcpStateNames) && tcpStateNames[s] != "" {
		return tcpStateNames[s]
	}
	return State(fmt.Sprintf("STATE_%d", s))
}

// appendSockets appends the entries of a proto dump to dst as Sockets.
func appendSockets(dst []Socket, es []sockdiag.Entry, proto Kind) []Socket {
	for _, e := range es {
		s := Socket{
			Proto:  proto,
			State:  inetStateName(e.State),
			Local:  e.Local,
			Remote: e.Remote,
			UID:    e.UID,
			Inode:  e.Inode,
		}
		// Only the TIME_WAIT timer matters to users (how long until the
		// port is free).
		if e.State == sockdiag.StateTimeWait && proto == TCP {
			s.TimerLeft = e.Expires
		}
		dst = append(dst, s)
	}
	return dst
}

// diagProto is proto's kernel protocol number.
func diagProto(proto Kind) uint8 {
	if proto == UDP {
		return sockdiag.UDP
	}
	return sockdiag.TCP
}
