package freeport

import (
	"fmt"
	"os"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// localPortRangePath is a variable so tests can point it at a fixture.
var localPortRangePath = "/proc/sys/net/ipv4/ip_local_port_range"

func ephemeralRange() (vpnport.PortRange, error) {
	f, err := os.Open(localPortRangePath)
	if err != nil {
		return vpnport.PortRange{}, fmt.Errorf("ephemeral range: %w", err)
	}
	defer f.Close()
	return ParseLocalPortRange(f)
}
