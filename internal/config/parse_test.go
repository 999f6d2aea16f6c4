package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestDefaultParses(t *testing.T) {
	cfg := Default()
	if cfg.Source != EmbeddedSource {
		t.Errorf("Source = %q, want %q", cfg.Source, EmbeddedSource)
	}
	want := []vpnport.Resource{
		{Kind: vpnport.UDP, Port: 500},
		{Kind: vpnport.UDP, Port: 4500},
		{Kind: vpnport.UDP, Port: 1701},
		{Kind: vpnport.UDP, Port: 1194},
		{Kind: vpnport.UDP, Port: 51820},
	}
	if len(cfg.Ports) != len(want) {
		t.Fatalf("Ports = %v, want %v", cfg.Ports, want)
	}
	for i := range want {
		if cfg.Ports[i] != want[i] {
			t.Errorf("Ports[%d] = %v, want %v", i, cfg.Ports[i], want[i])
		}
	}
	if len(cfg.Devices) != 0 || len(cfg.SSHForwardPorts) != 0 || cfg.Adapter != "" || cfg.Reconnect != nil {
		t.Errorf("default watches more than the five ports: %+v", cfg)
	}
	if cfg.Interval != 30*time.Second || cfg.VPNName == "" {
		t.Errorf("Interval = %v, VPNName = %q", cfg.Interval, cfg.VPNName)
	}
	for _, c := range []string{"openvpn", "charon", "charon-systemd", "starter", "xl2tpd", "pppd", "wireguard", "wg-quick", "wireguard-go", "openconnect", "vpnc", "nm-openvpn-service", "ssh"} {
		if !contains(cfg.Clients, c) {
			t.Errorf("default clients lack %q: %v", c, cfg.Clients)
		}
	}
	// Every key of the schema appears in the default file, commented out or
	// not, so users find them all there.
	text := string(DefaultTOML())
	for table, keys := range schema {
		if !strings.Contains(text, "["+table+"]") {
			t.Errorf("default.toml lacks [%s]", table)
		}
		for _, k := range keys {
			if !strings.Contains(text, k+" = ") {
				t.Errorf("default.toml does not show %s.%s", table, k)
			}
		}
	}
}

func TestDefaultIsACopy(t *testing.T) {
	a := Default()
	a.Ports[0].Port = 1
	a.Clients[0] = "changed"
	if b := Default(); b.Ports[0].Port != 500 || b.Clients[0] == "changed" {
		t.Fatalf("changing one Default() changed the next: %v %v", b.Ports[0], b.Clients[0])
	}
}

func TestParseFillsLeftOutKeys(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("[vpn]\nports = [\"tcp/443\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Source != "c.toml" || cfg.VPNName != "VPN" || cfg.Interval != 30*time.Second || !contains(cfg.Clients, "openvpn") {
		t.Errorf("left-out keys not defaulted: %+v", cfg)
	}
	if len(cfg.Ports) != 1 || cfg.Ports[0] != (vpnport.Resource{Kind: vpnport.TCP, Port: 443}) {
		t.Errorf("Ports = %v", cfg.Ports)
	}
	cfg, err = Parse("c.toml", []byte("[vpn]\nclients = []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Clients) != 0 || len(cfg.Ports) != 0 {
		t.Errorf("explicit empty clients / left-out ports: %v %v", cfg.Clients, cfg.Ports)
	}
}

func TestParseFull(t *testing.T) {
	src := `
[vpn]
name = "work"
ports = ["udp/1194", "tcp/443"]
devices = ["/dev/ttyUSB0", "COM3"]
clients = ["openvpn"]
adapter = "tun0"
reconnect = ["nmcli", "connection", "up", "work"]
[ssh]
forward_ports = [8080, 5432]
[check]
interval = "1m30s"
`
	cfg, err := Parse("full.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Source:  "full.toml",
		VPNName: "work",
		Ports:   []vpnport.Resource{{Kind: vpnport.UDP, Port: 1194}, {Kind: vpnport.TCP, Port: 443}},
		Devices: []vpnport.Resource{{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}, {Kind: vpnport.Device, Path: "COM3"}},
		Clients: []string{"openvpn"}, SSHForwardPorts: []uint16{8080, 5432}, Adapter: "tun0",
		Reconnect: []string{"nmcli", "connection", "up", "work"}, Interval: 90 * time.Second,
		Keys: []string{"vpn.name", "vpn.ports", "vpn.devices", "vpn.clients", "vpn.adapter", "vpn.reconnect", "ssh.forward_ports", "check.interval"},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
	if r := cfg.Resources(); len(r) != 6 {
		t.Errorf("Resources() = %v, want 2 ports + 2 forwards + 2 devices", r)
	}
}

func contains(ss []string, s string) bool { return slices.Contains(ss, s) }
