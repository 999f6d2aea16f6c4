package vpnport

import (
	"bufio"
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// parseCgroupUnit returns the systemd service a process runs in, from its
// /proc/PID/cgroup (v2 "0::/system.slice/dnsmasq.service", or v1's
// "name=systemd" hierarchy), and whether it is a user unit (under
// user@UID.service). A process in a login session or a container scope has
// no service: "". The service matters because ending its process makes
// systemd start it again: the fix is to stop the unit.
func parseCgroupUnit(b []byte) (unit string, user bool) {
	var path string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			path = parts[2] // the unified hierarchy wins
			break
		}
		if parts[1] == "name=systemd" {
			path = parts[2]
		}
	}
	comps := strings.Split(path, "/")
	for i := len(comps) - 1; i >= 0; i-- {
		c := comps[i]
		if !strings.HasSuffix(c, ".service") {
			continue
		}
		if strings.HasPrefix(c, "user@") {
			return "", false // the user's service manager itself, not an app
		}
		for _, a := range comps[:i] {
			if strings.HasPrefix(a, "user@") && strings.HasSuffix(a, ".service") {
				user = true
			}
		}
		return c, user
	}
	return "", false
}

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
