package discover

import (
	"errors"
	"strings"

	"github.com/traycheck/traycheck/internal/portnum"
)

// nmConn is what discovery needs of one NetworkManager connection profile
// (its settings as the Settings.Connection.GetSettings D-Bus call returns
// them, flattened).
type nmConn struct {
	Path    string // D-Bus object path
	ID      string // connection.id
	Type    string // connection.type: "vpn", "wireguard", ...
	Iface   string // connection.interface-name
	Service string // vpn.service-type
	Data    map[string]string
	// WGListenPort is wireguard.listen-port (0: random).
	WGListenPort int
}

// NetworkManager's VPN plugins by service type: the processes that run the
// connection, and what each binds locally.
const nmServicePrefix = "org.freedesktop.NetworkManager."

func (c nmConn) found() (Found, bool) {
	f := Found{Source: c.Path, Kind: KindNetworkManager, Name: c.ID, Adapter: c.Iface}
	if c.ID != "" {
		f.Reconnect = []string{"nmcli", "connection", "up", "id", c.ID}
	}
	switch c.Type {
	case "wireguard":
		f.Clients = []string{"NetworkManager"}
		if c.WGListenPort > 0 {
			f.addPort("udp", c.WGListenPort)
		} else {
			f.addNote("no listen port set: WireGuard picks a random port")
		}
		if f.Adapter == "" {
			f.Adapter = c.ID
		}
		return f, true
	case "vpn":
	default:
		return Found{}, false
	}
	svc := strings.TrimPrefix(c.Service, nmServicePrefix)
	if i := strings.LastIndexByte(svc, '.'); i >= 0 {
		svc = svc[i+1:] // "org.freedesktop.NetworkManager.openvpn" and third-party "com.x.y.openvpn"
	}
	switch svc {
	case "openvpn":
		f.Clients = []string{"openvpn", "nm-openvpn-service"}
		// nm-openvpn passes --nobind unless a local port is set.
		if p, err := portnum.Parse(c.Data["local-port"]); err == nil {
			proto := "udp"
			if c.Data["proto-tcp"] == "yes" {
				proto = "tcp"
				f.addNote("TCP client: binds no fixed local port")
			} else {
				f.addPort(proto, int(p))
			}
		} else {
			f.addNote("no local port set: NetworkManager runs openvpn with --nobind (a random local port)")
		}
		if d := c.Data["dev"]; d != "" && d != "tun" && d != "tap" {
			f.Adapter = d
		}
	case "strongswan":
		f.Clients = []string{"charon-nm"}
		f.addNote("charon-nm binds random local ports, not 500/4500: nothing fixed to watch")
	case "l2tp":
		f.Clients = []string{"xl2tpd", "nm-l2tp-service", "pppd", "charon", "pluto"}
		f.addPort("udp", 1701)
		if c.Data["ipsec-enabled"] == "yes" {
			f.addPort("udp", ikePort)
			f.addPort("udp", ikeNATTPort)
		}
	case "vpnc":
		f.Clients = []string{"vpnc"}
		// vpnc binds its "Local Port" (500 unless set; 0 means random).
		v, ok := c.Data["Local Port"]
		if !ok {
			f.addPort("udp", ikePort)
			break
		}
		p, err := portnum.Parse(v)
		switch {
		case err == nil:
			f.addPort("udp", int(p))
		case errors.Is(err, portnum.ErrZero):
			f.addNote("Local Port 0: vpnc picks a random port")
		default:
			f.addNote("Local Port: " + err.Error())
		}
	case "openconnect", "fortisslvpn", "sstp", "pptp", "ssh":
		f.Clients = []string{svc, "nm-" + svc + "-service"}
		f.addNote(svc + " connects out from a random local port: nothing fixed to watch")
	default:
		f.addNote("VPN plugin " + c.Service + " is not known to traycheck")
	}
	return f, true
}
