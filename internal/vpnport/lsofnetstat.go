package vpnport

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// MacTimeWaitMax is how long a macOS TIME_WAIT socket lives at most: 2×MSL
// with the default net.inet.tcp.msl of 15000 ms. netstat does not print the
// remaining time, so the probe reports this upper bound as TimerLeft.
const MacTimeWaitMax = 30 * time.Second

// parseNetstatTimeWait reads `netstat -anv -p tcp` (macOS) and appends the
// TIME_WAIT sockets whose local port is in ports. Only the first six columns
// are read (proto, queues, local, foreign, state); later columns differ
// between macOS releases and may contain spaces (process names).
func parseNetstatTimeWait(r io.Reader, ports map[uint16]bool, dst []Socket) ([]Socket, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || !strings.HasPrefix(f[0], "tcp") || f[5] != string(StateTimeWait) {
			continue
		}
		local, ok1 := netstatAddrPort(f[3], f[0])
		remote, ok2 := netstatAddrPort(f[4], f[0])
		if !ok1 || !ok2 || !ports[local.Port()] {
			continue
		}
		if len(dst) >= lsofMax {
			return dst, fmt.Errorf("netstat output: more than %d TIME_WAIT sockets", lsofMax)
		}
		dst = append(dst, Socket{Proto: TCP, State: StateTimeWait, Local: local, Remote: remote, TimerLeft: MacTimeWaitMax})
	}
	if err := sc.Err(); err != nil {
		return dst, fmt.Errorf("reading netstat output: %w", err)
	}
	return dst, nil
}

// netstatAddrPort parses BSD netstat's "addr.port" ("127.0.0.1.1194",
// "fe80::1%lo0.1194", "*.22").
func netstatAddrPort(s, proto string) (netip.AddrPort, bool) {
	return macAddrPort(s, '.', proto != "tcp4")
}
