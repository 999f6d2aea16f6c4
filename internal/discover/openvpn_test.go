package discover

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenVPNDirectives(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text, ports, adapter string
	}{
		{"port-sets-lport", "client\nremote vpn.example.com\nport 1195\n", "udp/1195", ""},
		{"lport-wins", "client\nport 1195\nlport 5000\n", "udp/5000", ""},
		{"tcp-client-binds-nothing", "client\nproto tcp-client\nremote a 443\n", "", ""},
		{"tcp-via-client", "client\nproto tcp\nremote a 443\n", "", ""},
		{"remote-proto", "client\nremote a 443 tcp\n", "", ""},
		{"tcp-server", "proto tcp-server\nport 443\ndev tun3\n", "tcp/443", "tun3"},
		{"server-mode-tcp", "server 10.8.0.0 255.255.255.0\nproto tcp\nport 1443\n", "tcp/1443", ""},
		{"management", "client\nnobind\nmanagement 127.0.0.1 7505\n", "tcp/7505", ""},
		{"management-unix", "client\nnobind\nmanagement /run/ovpn.sock unix\n", "", ""},
		{"inline-blocks-skipped", "client\n<ca>\nport 9999\n</ca>\nport 1196\n", "udp/1196", ""},
		{"connection-block", "client\n<connection>\nremote a 1194 udp\n</connection>\n", "udp/1194", ""},
		{"dashes", "--client\n--lport 1197\n--dev tap0\n", "udp/1197", "tap0"},
		{"comments", "# port 1\n; port 2\nport 1198\n", "udp/1198", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := parseOpenVPN(strings.NewReader(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			f := p.found("/x/" + tc.name + ".ovpn")
			if strings.Join(f.Ports, ",") != tc.ports || f.Adapter != tc.adapter {
				t.Errorf("ports %v adapter %q; want %q %q (note %q)", f.Ports, f.Adapter, tc.ports, tc.adapter, f.Note)
			}
			if f.Name != tc.name {
				t.Errorf("name %q", f.Name)
			}
		})
	}
}

// The imported-profile walk takes *.ovpn only: ~/.config is full of other
// programs' .conf files.
func TestOpenVPNImportedOnlyOvpn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "work", "deep"), 0o755)
	os.WriteFile(filepath.Join(dir, "work", "deep", "office.ovpn"), []byte("client\nport 1300\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "fontconfig.conf"), []byte("port 1\n"), 0o644)
	got := Discover(t.Context(), Sources{OpenVPNImported: []string{dir}})
	if len(got) != 1 || got[0].Name != "office" || got[0].Ports[0] != "udp/1300" {
		t.Fatalf("got %+v", got)
	}
}
