package vpnport

import (
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport/wintable"
)

// winPortObservation assembles the observation of one port resource from
// the decoded owner tables and excluded ranges: every socket on the port
// (IPv4 and IPv6), one holder per distinct PID, described by holder, and
// the excluded range containing the port. It is the Windows probe's logic
// minus the system calls, so it is tested on any OS.
func winPortObservation(r Resource, socks []Socket, ranges []PortRange, holder func(pid int) Holder, now time.Time) Observation {
	o := Observation{Resource: r, At: now, Exists: true}
	seen := map[int]bool{}
	for _, s := range socks {
		if s.Proto != r.Kind || s.Local.Port() != r.Port {
			continue
		}
		o.Sockets = append(o.Sockets, s)
		for _, pid := range s.PIDs {
			if !seen[pid] {
				seen[pid] = true
				o.Holders = append(o.Holders, holder(pid))
			}
		}
	}
	o.Reserved = rangeContaining(ranges, r)
	return o
}

// winKernelHolder describes PID 4, the System process: the port is held by a
// kernel driver (HTTP.sys for URL reservations), see KernelPortHint.
func winKernelHolder(name string) Holder {
	if name == "" {
		name = "System"
	}
	return Holder{PID: wintable.PIDSystem, Name: name, Kernel: true}
}

// winHolder describes a process other than the System process: a shared
// svchost.exe is named by its services, so users read "IKEEXT".
func winHolder(p wintable.Process) Holder {
	return Holder{PID: p.PID, Name: p.Name, Exe: p.Exe, User: p.User, Started: p.Started,
		Service: strings.Join(p.Services, ",")}
}
