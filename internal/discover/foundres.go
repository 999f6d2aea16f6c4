package discover

import "github.com/traycheck/traycheck/internal/vpnport"

// resources are the ports and devices f names, as the probe takes them:
// what a trigger checks for one profile it learned of by name.
func (f Found) resources() []vpnport.Resource {
	var rs []vpnport.Resource
	for _, s := range f.Ports {
		if x, err := vpnport.ParseTarget(s); err == nil {
			rs = append(rs, x...)
		}
	}
	for _, d := range f.Devices {
		rs = append(rs, vpnport.Resource{Kind: vpnport.Device, Path: d})
	}
	return rs
}
