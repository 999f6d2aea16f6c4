package discover

import (
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/power/powertest"
)

// fakeNM serves NetworkManager's settings API (ListConnections and each
// connection's GetSettings) on a private system bus: the D-Bus conversation is
// real, only the connections are made up.
type fakeNM struct {
	conns map[dbus.ObjectPath]map[string]map[string]dbus.Variant
}

func (f *fakeNM) ListConnections() ([]dbus.ObjectPath, *dbus.Error) {
	var out []dbus.ObjectPath
	for _, p := range []dbus.ObjectPath{"/org/freedesktop/NetworkManager/Settings/1", "/org/freedesktop/NetworkManager/Settings/2",
		"/org/freedesktop/NetworkManager/Settings/3", "/org/freedesktop/NetworkManager/Settings/4"} {
		if _, ok := f.conns[p]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

type fakeConn struct {
	s map[string]map[string]dbus.Variant
}

func (c fakeConn) GetSettings() (map[string]map[string]dbus.Variant, *dbus.Error) { return c.s, nil }

func TestNetworkManagerOverDBus(t *testing.T) {
	bus := powertest.StartBus(t)
	conn := bus.Conn()
	v := dbus.MakeVariant
	nm := &fakeNM{conns: map[dbus.ObjectPath]map[string]map[string]dbus.Variant{
		"/org/freedesktop/NetworkManager/Settings/1": {
			"connection": {"id": v("work"), "type": v("vpn")},
			"vpn": {"service-type": v("org.freedesktop.NetworkManager.openvpn"),
				"data": v(map[string]string{"remote": "vpn.example.com", "local-port": "1195", "dev": "tun7"})},
		},
		"/org/freedesktop/NetworkManager/Settings/2": {
			"connection": {"id": v("home-wg"), "type": v("wireguard"), "interface-name": v("wg-home")},
			"wireguard":  {"listen-port": v(uint32(51821))},
		},
		"/org/freedesktop/NetworkManager/Settings/3": {
			"connection": {"id": v("corp-ipsec"), "type": v("vpn")},
			"vpn":        {"service-type": v("org.freedesktop.NetworkManager.strongswan"), "data": v(map[string]string{})},
		},
		"/org/freedesktop/NetworkManager/Settings/4": {
			"connection": {"id": v("Wired"), "type": v("802-3-ethernet")},
		},
	}}
	if err := conn.Export(nm, nmSettingsPath, nmSettingsIf); err != nil {
		t.Fatal(err)
	}
	for p, s := range nm.conns {
		if err := conn.Export(fakeConn{s}, p, nmConnIf); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := conn.RequestName(nmName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", nmName, r, err)
	}
	got := Discover(t.Context(), Sources{NetworkManager: true})
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	w := got[0]
	if w.Name != "work" || strings.Join(w.Ports, ",") != "udp/1195" || w.Adapter != "tun7" ||
		strings.Join(w.Reconnect, " ") != "nmcli connection up id work" || w.Source != "/org/freedesktop/NetworkManager/Settings/1" {
		t.Errorf("openvpn: %+v", w)
	}
	if g := got[1]; strings.Join(g.Ports, ",") != "udp/51821" || g.Adapter != "wg-home" {
		t.Errorf("wireguard: %+v", g)
	}
	if s := got[2]; len(s.Ports) != 0 || !strings.Contains(s.Note, "random") {
		t.Errorf("strongswan: %+v", s)
	}
}

// Without NetworkManager on the bus, discovery finds nothing and says nothing.
func TestNetworkManagerAbsent(t *testing.T) {
	powertest.StartBus(t)
	if got := Discover(t.Context(), Sources{NetworkManager: true}); len(got) != 0 {
		t.Fatalf("got %+v", got)
	}
}

func TestNMPlugins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		svc   string
		data  map[string]string
		ports string
	}{
		{"org.freedesktop.NetworkManager.openvpn", nil, ""},
		{"org.freedesktop.NetworkManager.openvpn", map[string]string{"local-port": "1194", "proto-tcp": "yes"}, ""},
		{"org.freedesktop.NetworkManager.l2tp", map[string]string{"ipsec-enabled": "yes"}, "udp/1701,udp/500,udp/4500"},
		{"org.freedesktop.NetworkManager.l2tp", nil, "udp/1701"},
		{"org.freedesktop.NetworkManager.vpnc", nil, "udp/500"},
		{"org.freedesktop.NetworkManager.vpnc", map[string]string{"Local Port": "0"}, ""},
		{"org.freedesktop.NetworkManager.openconnect", nil, ""},
	} {
		f, ok := nmConn{ID: "x", Type: "vpn", Service: tc.svc, Data: tc.data}.found()
		if !ok || strings.Join(f.Ports, ",") != tc.ports || (tc.ports == "" && f.Note == "") {
			t.Errorf("%s %v: ports %v note %q", tc.svc, tc.data, f.Ports, f.Note)
		}
	}
}
