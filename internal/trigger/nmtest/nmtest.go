// Package nmtest is a fake NetworkManager: the true edge of the
// NetworkManager trigger (there is no NetworkManager on a build machine).
// It owns org.freedesktop.NetworkManager on a bus (a private dbus-daemon
// run as the system bus), serves one active VPN connection and its
// settings, and emits the real signals NetworkManager emits, so the
// trigger's D-Bus code runs for real.
package nmtest

import (
	"errors"
	"fmt"

	"github.com/godbus/dbus/v5"
)

// Paths the fake serves.
const (
	Name         = "org.freedesktop.NetworkManager"
	ActivePath   = dbus.ObjectPath("/org/freedesktop/NetworkManager/ActiveConnection/1")
	SettingsPath = dbus.ObjectPath("/org/freedesktop/NetworkManager/Settings/1")
	vpnConnIf    = "org.freedesktop.NetworkManager.VPN.Connection"
)

// NM is a running fake.
type NM struct {
	conn *dbus.Conn
}

// OpenVPN is the settings of an openvpn connection with id whose local
// port is port (proto udp unless tcp).
func OpenVPN(id string, port uint16, tcp bool) map[string]map[string]dbus.Variant {
	data := map[string]string{"remote": "vpn.example.org", "port": "1194", "local-port": fmt.Sprint(port)}
	if tcp {
		data["proto-tcp"] = "yes"
	}
	return map[string]map[string]dbus.Variant{
		"connection": {"id": dbus.MakeVariant(id), "type": dbus.MakeVariant("vpn"), "uuid": dbus.MakeVariant("5c1c5f2e-0000-4000-8000-000000000001")},
		"vpn": {"service-type": dbus.MakeVariant("org.freedesktop.NetworkManager.openvpn"),
			"data": dbus.MakeVariant(data)},
	}
}

type props struct {
	m map[string]map[string]dbus.Variant
}

func (p props) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	if v, ok := p.m[iface][name]; ok {
		return v, nil
	}
	return dbus.Variant{}, dbus.MakeFailedError(errors.New("no such property " + iface + "." + name))
}

type settings struct {
	s map[string]map[string]dbus.Variant
}

func (s settings) GetSettings() (map[string]map[string]dbus.Variant, *dbus.Error) { return s.s, nil }

// Start serves s as the settings of ActivePath's connection id on conn (an
// authenticated connection to the bus) and takes NetworkManager's name.
func Start(conn *dbus.Conn, id string, s map[string]map[string]dbus.Variant) (*NM, error) {
	active := props{map[string]map[string]dbus.Variant{"org.freedesktop.NetworkManager.Connection.Active": {
		"Id": dbus.MakeVariant(id), "Connection": dbus.MakeVariant(SettingsPath), "Vpn": dbus.MakeVariant(true),
	}}}
	if err := conn.Export(active, ActivePath, "org.freedesktop.DBus.Properties"); err != nil {
		return nil, err
	}
	if err := conn.Export(settings{s}, SettingsPath, "org.freedesktop.NetworkManager.Settings.Connection"); err != nil {
		return nil, err
	}
	r, err := conn.RequestName(Name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return nil, err
	}
	if r != dbus.RequestNameReplyPrimaryOwner {
		return nil, errors.New("cannot own " + Name)
	}
	return &NM{conn: conn}, nil
}

// VPNState emits VpnStateChanged(state, reason) for the active connection:
// 6 FAILED, 7 DISCONNECTED, 5 ACTIVATED; reasons as NetworkManager's
// (8 service-start-failed, 10 login-failed).
func (n *NM) VPNState(state, reason uint32) error {
	return n.conn.Emit(ActivePath, vpnConnIf+".VpnStateChanged", state, reason)
}
