// Package freeport suggests a free local port near one that is taken, for the
// "use-other-port" action: the next port up that is outside the OS's
// ephemeral range and any reserved range, and that a probe bind on the same
// protocol and address accepts. For an ssh -L forward it also rewrites the
// command line to use the suggested port (see RewriteSSH).
package freeport

import (
	"context"
	"errors"
	"fmt"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// ErrNoFreePort is returned by Suggest when no candidate near the wanted port
// passed the probe bind within MaxProbes tries.
var ErrNoFreePort = errors.New("freeport: no free port found near the wanted one")

// MaxProbes bounds the binds one Suggest call tries, so a machine with most
// ports taken answers quickly rather than walking 64k ports.
const MaxProbes = 64

// nearWindow is how far above the wanted port a suggestion may be.
const nearWindow = 1000

// Request says which port was wanted and how to look for another.
type Request struct {
	// Proto is tcp or udp; empty means tcp.
	Proto vpnport.Kind
	// Address is the local bind address the program used ("127.0.0.1",
	// "::1", "localhost"); empty means all addresses, IPv4 and IPv6.
	Address string
	// Want is the port that is taken.
	Want uint16
	// Reserved ranges are never suggested (Windows excluded port ranges).
	Reserved []vpnport.PortRange
	// Avoid lists ports that must not be suggested although free (the
	// VPN's other configured ports).
	Avoid []uint16
	// Ephemeral overrides the OS's ephemeral range (tests); zero means
	// EphemeralRange().
	Ephemeral vpnport.PortRange
}

// Suggest returns a free port near req.Want: candidates come from
// Candidates and each is verified by a probe bind (bind and close at once,
// SO_REUSEADDR off, so a port with TIME_WAIT sockets counts as taken, as it
// would for the failing program). The port is free at the moment of the
// probe; nothing reserves it.
func Suggest(ctx context.Context, req Request) (uint16, error) {
	if req.Want == 0 {
		return 0, errors.New("freeport: no wanted port")
	}
	eph := req.Ephemeral
	if eph.End == 0 {
		var err error
		if eph, err = EphemeralRange(); err != nil {
			return 0, fmt.Errorf("freeport: %w", err)
		}
	}
	proto := req.Proto
	if proto == "" {
		proto = vpnport.TCP
	}
	var skip []vpnport.PortRange
	skip = append(skip, eph)
	for _, r := range req.Reserved {
		if r.Proto == "" || r.Proto == proto {
			skip = append(skip, r)
		}
	}
	for _, p := range req.Avoid {
		skip = append(skip, vpnport.PortRange{Start: p, End: p})
	}
	var lastErr error
	for _, p := range Candidates(req.Want, skip, MaxProbes) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if lastErr = Probe(ctx, proto, req.Address, p); lastErr == nil {
			return p, nil
		}
	}
	if lastErr != nil {
		return 0, fmt.Errorf("%w (last probe: %w)", ErrNoFreePort, lastErr)
	}
	return 0, ErrNoFreePort
}

// Candidates lists up to n ports to try instead of want, nearest first:
// upwards from want+1 for at most nearWindow ports (users expect 8081 after
// 8080, and a small reserved range is stepped over), then downwards from
// want-1 to 1024 (rather than jumping over a whole ephemeral range), leaving
// out every port inside a skip range. A privileged port (below 1024) is replaced by its
// unprivileged twin first (80 -> 8080, 443 -> 8443, 22 -> 8022), the
// convention users recognise, since a user-level program cannot bind below
// 1024 anyway.
func Candidates(want uint16, skip []vpnport.PortRange, n int) []uint16 {
	out := make([]uint16, 0, n)
	skipped := func(p int) bool {
		for _, r := range skip {
			if p >= int(r.Start) && p <= int(r.End) {
				return true
			}
		}
		return false
	}
	start := int(want) + 1
	if want < 1024 {
		start = int(want) + 8000
	}
	for p := start; p <= 65535 && p <= start+nearWindow && len(out) < n; p++ {
		if !skipped(p) {
			out = append(out, uint16(p))
		}
	}
	for p := int(want) - 1; p >= 1024 && len(out) < n; p-- {
		if !skipped(p) {
			out = append(out, uint16(p))
		}
	}
	return out
}
