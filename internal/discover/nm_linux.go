package discover

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"
)

// NetworkManager's settings service.
const (
	nmName         = "org.freedesktop.NetworkManager"
	nmSettingsPath = dbus.ObjectPath("/org/freedesktop/NetworkManager/Settings")
	nmSettingsIf   = "org.freedesktop.NetworkManager.Settings"
	nmConnIf       = "org.freedesktop.NetworkManager.Settings.Connection"
)

// nmTimeout bounds the whole conversation: discovery must not hang on a
// NetworkManager that does not answer.
const nmTimeout = 3 * time.Second

// networkManager asks NetworkManager's settings service for its VPN and
// WireGuard connections. No system bus or no NetworkManager: nothing found.
func networkManager(ctx context.Context) []Found {
	ctx, cancel := context.WithTimeout(ctx, nmTimeout)
	defer cancel()
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err != nil {
		return nil
	}
	defer conn.Close()
	var paths []dbus.ObjectPath
	if err := conn.Object(nmName, nmSettingsPath).CallWithContext(ctx, nmSettingsIf+".ListConnections", 0).Store(&paths); err != nil {
		return nil
	}
	var out []Found
	for _, p := range paths {
		var s map[string]map[string]dbus.Variant
		if err := conn.Object(nmName, p).CallWithContext(ctx, nmConnIf+".GetSettings", 0).Store(&s); err != nil {
			continue
		}
		if f, ok := nmFromSettings(p, s).found(); ok {
			out = append(out, f)
		}
	}
	return out
}

func nmFromSettings(p dbus.ObjectPath, s map[string]map[string]dbus.Variant) nmConn {
	str := func(sec, key string) string {
		v, _ := s[sec][key].Value().(string)
		return v
	}
	c := nmConn{Path: string(p), ID: str("connection", "id"), Type: str("connection", "type"),
		Iface: str("connection", "interface-name"), Service: str("vpn", "service-type")}
	if d, ok := s["vpn"]["data"].Value().(map[string]string); ok {
		c.Data = d
	}
	if n, ok := s["wireguard"]["listen-port"].Value().(uint32); ok {
		c.WGListenPort = int(n)
	}
	return c
}
