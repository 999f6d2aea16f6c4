package vpnport

import (
	"context"
	"net/netip"
)

// culprit adds what the holder is beyond its process: its systemd service
// (from /proc/PID/cgroup) and, for docker-proxy, the container behind it.
func (h *linuxHolders) culprit(base string, hd *Holder) {
	if b, err := h.read(base + "/cgroup"); err == nil {
		hd.Unit, hd.UserUnit = parseCgroupUnit(b)
	}
	if d, ok := ParseDockerProxy(hd.Cmdline); ok {
		hd.Container = netip.AddrPortFrom(d.ContainerIP, d.ContainerPort).String()
		if name := dockerContainerName(context.Background(), d.ContainerIP.String()); name != "" {
			hd.Container = name + " (" + hd.Container + ")"
		}
	}
}
