package vpnport

import (
	"net/netip"
	"strconv"
	"strings"
)

// DockerProxy is what docker-proxy's command line says it forwards.
type DockerProxy struct {
	Proto         string
	HostIP        netip.Addr
	HostPort      uint16
	ContainerIP   netip.Addr
	ContainerPort uint16
}

// ParseDockerProxy reads docker-proxy's flags ("-proto tcp -host-ip 0.0.0.0
// -host-port 8080 -container-ip 172.17.0.2 -container-port 80"); ok is false
// for any other command line.
func ParseDockerProxy(cmdline []string) (DockerProxy, bool) {
	if len(cmdline) == 0 || !strings.HasSuffix(cmdline[0], "docker-proxy") {
		return DockerProxy{}, false
	}
	var d DockerProxy
	for i := 1; i < len(cmdline); i++ {
		name, val, hasVal := strings.Cut(strings.TrimLeft(cmdline[i], "-"), "=")
		if !hasVal && i+1 < len(cmdline) {
			val = cmdline[i+1]
			i++
		}
		switch name {
		case "proto":
			d.Proto = val
		case "host-ip":
			d.HostIP, _ = netip.ParseAddr(val)
		case "host-port":
			n, _ := strconv.ParseUint(val, 10, 16)
			d.HostPort = uint16(n)
		case "container-ip":
			d.ContainerIP, _ = netip.ParseAddr(val)
		case "container-port":
			n, _ := strconv.ParseUint(val, 10, 16)
			d.ContainerPort = uint16(n)
		}
	}
	return d, d.ContainerIP.IsValid() && d.ContainerPort != 0
}
