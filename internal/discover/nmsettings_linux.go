package discover

import (
	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// NMProfile is what one NetworkManager connection's settings (as
// Settings.Connection.GetSettings returns them) say about the local
// resources it needs: the same reading as discovery's, for a trigger that
// learns of a failed connection and must check its ports now.
type NMProfile struct {
	ID        string
	Resources []vpnport.Resource
	Clients   []string
}

// NMSettings reads a connection's settings; ok is false for a connection
// that is neither a VPN nor WireGuard.
func NMSettings(p dbus.ObjectPath, s map[string]map[string]dbus.Variant) (NMProfile, bool) {
	c := nmFromSettings(p, s)
	f, ok := c.found()
	if !ok {
		return NMProfile{ID: c.ID}, false
	}
	return NMProfile{ID: c.ID, Clients: f.Clients, Resources: f.resources()}, true
}
