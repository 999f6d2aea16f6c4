package vpnport

// Sockets and holders from lsof and netstat output (package lsof), for the
// macOS probe.

import (
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/lsof"
)

// MacTimeWaitMax is how long a macOS TIME_WAIT socket lives at most: 2×MSL
// with the default net.inet.tcp.msl of 15000 ms. netstat does not print the
// remaining time, so the probe reports this upper bound as TimerLeft.
const MacTimeWaitMax = 30 * time.Second

// lsofSocket converts an internet file to a Socket, or ok=false when it is
// not a TCP/UDP socket. -iTCP:N also matches sockets whose remote port is
// N, so callers compare the local port.
func lsofSocket(f lsof.File, pid int, uid uint32) (Socket, bool) {
	var s Socket
	switch f.Proto {
	case "TCP":
		s.Proto, s.State = TCP, State(f.State)
	case "UDP":
		s.Proto, s.State = UDP, StateUnconn
	default:
		return s, false
	}
	var ok bool
	if s.Local, s.Remote, ok = f.Addrs(); !ok {
		return s, false
	}
	if f.Connected() && s.Proto == UDP {
		s.State = StateEstablished
	}
	s.UID, s.PIDs = uid, []int{pid}
	return s, true
}

// lsofFill adds to o the sockets on o's port (or the processes with o's
// device open) and their holders, from parsed lsof output.
func lsofFill(o *Observation, procs []lsof.Proc) {
	for _, p := range procs {
		held := false
		for _, f := range p.Files {
			if o.Resource.Kind == Device {
				if f.Name == o.Resource.Path {
					held = true
				}
				continue
			}
			s, ok := lsofSocket(f, p.PID, p.UID)
			if ok && s.Proto == o.Resource.Kind && s.Local.Port() == o.Resource.Port {
				o.Sockets = append(o.Sockets, s)
				held = true
			}
		}
		if held {
			o.Holders = append(o.Holders, Holder{PID: p.PID, Name: p.Cmd, User: p.Login, UID: p.UID})
		}
	}
}

// timeWaitSockets turns netstat's TIME_WAIT entries into Sockets.
func timeWaitSockets(tw []lsof.TimeWait) []Socket {
	var out []Socket
	for _, t := range tw {
		out = append(out, Socket{Proto: TCP, State: StateTimeWait, Local: t.Local, Remote: t.Remote, TimerLeft: MacTimeWaitMax})
	}
	return out
}
