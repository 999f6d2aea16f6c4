package freeport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/traycheck/traycheck/internal/portnum"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// EphemeralRange returns the ports the OS hands out for outgoing
// connections and port-0 binds. A port in it may be taken by any connection
// at any moment, so it is never suggested.
func EphemeralRange() (vpnport.PortRange, error) {
	return ephemeralRange()
}

// The IANA dynamic range, the default on Windows (since Vista) and macOS.
var ianaDynamic = vpnport.PortRange{Start: 49152, End: 65535}

// ParseLocalPortRange parses Linux's /proc/sys/net/ipv4/ip_local_port_range
// ("32768\t60999\n"). It reads at most one short line.
func ParseLocalPortRange(r io.Reader) (vpnport.PortRange, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(r, 64), 64).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return vpnport.PortRange{}, fmt.Errorf("reading local port range: %w", err)
	}
	f := strings.Fields(line)
	if len(f) != 2 {
		return vpnport.PortRange{}, fmt.Errorf("local port range %q: want two numbers", line)
	}
	lo, hi, err := portnum.ParseRange(f[0] + "-" + f[1])
	if err != nil {
		return vpnport.PortRange{}, fmt.Errorf("local port range %q: want two ports, low then high: %w", line, err)
	}
	return vpnport.PortRange{Start: lo, End: hi}, nil
}
