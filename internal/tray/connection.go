package tray

import (
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Connections names, for a note's summary, what each watched resource
// belongs to: the VPN's ports and devices are the VPN ("VPN 'work'", or
// "The VPN" under the default name), forward ports an ssh forward.
func Connections(cfg *config.Config) func(vpnport.Resource) string {
	names := map[vpnport.Resource]string{}
	if cfg == nil {
		return func(vpnport.Resource) string { return "" }
	}
	vpn := "The VPN"
	if cfg.VPNName != "" && cfg.VPNName != "VPN" {
		// Cut inside the quotes: the summary must keep its shape.
		vpn = "VPN '" + compose.Clean(cfg.VPNName, 12) + "'"
	}
	for _, p := range cfg.SSHForwardPorts {
		names[vpnport.Resource{Kind: vpnport.TCP, Port: p}] = "ssh forward"
	}
	for _, r := range append(append([]vpnport.Resource(nil), cfg.Ports...), cfg.Devices...) {
		names[r] = vpn
	}
	return func(r vpnport.Resource) string { return names[r] }
}
