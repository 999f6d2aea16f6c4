package vpnport

import (
	"strconv"

	"github.com/traycheck/traycheck/internal/vpnport/wintable"
)

// KernelPortHint is what to tell a user whose port is held by the Windows
// kernel (PID 4): almost always HTTP.sys on behalf of a service that
// registered a URL reservation, which this command names.
const KernelPortHint = "the port is held by the Windows kernel (HTTP.sys, PID 4); " +
	"run `netsh http show servicestate` to see which service registered it"

// winTCPStates maps MIB_TCP_STATE values to the kernel names Linux uses, so
// diagnose sees one vocabulary on every OS.
var winTCPStates = [...]State{
	1:  "CLOSE",
	2:  StateListen,
	3:  "SYN_SENT",
	4:  "SYN_RECV",
	5:  StateEstablished,
	6:  "FIN_WAIT1",
	7:  "FIN_WAIT2",
	8:  "CLOSE_WAIT",
	9:  "CLOSING",
	10: "LAST_ACK",
	11: StateTimeWait,
	12: "DELETE_TCB",
}

func winTCPState(v uint32) State {
	if v < uint32(len(winTCPStates)) && winTCPStates[v] != "" {
		return winTCPStates[v]
	}
	return State("STATE_" + strconv.FormatUint(uint64(v), 10))
}

// winSockets appends to dst the sockets of owner-table rows: the states in
// Linux's names, and no owner for PID 0.
func winSockets(rows []wintable.Row, dst []Socket) []Socket {
	for _, r := range rows {
		s := Socket{Local: r.Local, Remote: r.Remote}
		if r.TCP {
			s.Proto, s.State = TCP, winTCPState(r.State)
		} else {
			s.Proto, s.State = UDP, StateUnconn
		}
		if r.PID != wintable.PIDIdle {
			s.PIDs = []int{int(r.PID)}
		}
		dst = append(dst, s)
	}
	return dst
}
