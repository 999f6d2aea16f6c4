package discover

import (
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/config"
)

func TestApplyReplacesGuesses(t *testing.T) {
	t.Parallel()
	found := []Found{
		{Kind: KindOpenVPN, Name: "office", Source: "/etc/openvpn/office.conf", Ports: []string{"udp/1195", "tcp/7505"}, Clients: []string{"openvpn"}, Adapter: "tun3"},
		{Kind: KindSSH, Name: "ssh forwards", Source: "/home/u/.ssh/config", Ports: []string{"tcp/5432"}, ForwardPorts: []uint16{5432}, Clients: []string{"ssh"}},
		{Kind: KindSerial, Name: "usb-HUAWEI", Source: "/dev/serial/by-id", Devices: []string{"/dev/serial/by-id/usb-HUAWEI"}},
		{Kind: KindNetworkManager, Name: "l2", Ports: []string{"udp/1701"}, Clients: []string{"xl2tpd", "nm-l2tp-service"}},
	}
	got := Apply(config.Default(), found)
	var ports []string
	for _, r := range got.Ports {
		ports = append(ports, r.String())
	}
	if strings.Join(ports, ",") != "udp/500,udp/4500,udp/1701,udp/51820,udp/1195,tcp/7505" {
		t.Errorf("ports %v", ports)
	}
	if !slices.Equal(got.SSHForwardPorts, []uint16{5432}) || len(got.Devices) != 1 || got.Adapter != "tun3" {
		t.Errorf("forward %v devices %v adapter %q", got.SSHForwardPorts, got.Devices, got.Adapter)
	}
	if !slices.Contains(got.Clients, "nm-l2tp-service") {
		t.Errorf("clients %v", got.Clients)
	}
	// Two adapters: traycheck cannot know which to reset.
	found = append(found, Found{Kind: KindWireGuard, Adapter: "wg0", Ports: []string{"udp/51820"}})
	if a := Apply(config.Default(), found).Adapter; a != "" {
		t.Errorf("adapter %q with two candidates", a)
	}
	// The default itself is untouched.
	if len(config.Default().SSHForwardPorts) != 0 {
		t.Error("Apply changed the default")
	}
}

func TestTOMLLoadsAndNamesSources(t *testing.T) {
	t.Parallel()
	found := []Found{
		{Kind: KindWireGuard, Name: "wg-home\nports = [\"udp/1\"]", Source: "/etc/wireguard/wg-home.conf", Ports: []string{"udp/51821"}, Adapter: "wg-home"},
		{Kind: KindSSH, Name: "ssh forwards of Host db", Source: "/home/u/.ssh/config", Ports: []string{"tcp/15432"}, ForwardPorts: []uint16{15432}},
		{Kind: KindNetworkManager, Name: "work", Source: "/org/freedesktop/NetworkManager/Settings/1", Ports: []string{"udp/1195"},
			Clients: []string{"nm-l2tp-service"}, Reconnect: []string{"nmcli", "connection", "up", "id", "work"}},
		{Kind: KindRAS, Name: "Dial-up", Source: `C:\x\rasphone.pbk`, Devices: []string{"COM3"}},
	}
	b, err := TOML(found)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	cfg, err := config.Parse("x", b)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	var ports []string
	for _, r := range cfg.Ports {
		ports = append(ports, r.String())
	}
	if strings.Join(ports, ",") != "udp/500,udp/4500,udp/1701,udp/1194,udp/51821,udp/1195" {
		t.Errorf("ports %v", ports)
	}
	if cfg.Adapter != "wg-home" || len(cfg.Devices) != 1 || cfg.Devices[0].Path != "COM3" || cfg.SSHForwardPorts[0] != 15432 {
		t.Errorf("cfg %+v", cfg)
	}
	if len(cfg.Reconnect) != 0 {
		t.Errorf("a reconnect command was set: %v", cfg.Reconnect)
	}
	for _, want := range []string{
		`"udp/51821", # discovered: wireguard "wg-home\nports = [\"udp/1\"]" in /etc/wireguard/wg-home.conf`,
		`# "udp/51820", (a guess that discovery replaced)`,
		`# reconnect = ["nmcli", "connection", "up", "id", "work"]   # for networkmanager "work"`,
		`"nm-l2tp-service", # discovered`,
		`"charon",             # strongSwan's IKE daemon`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
}
