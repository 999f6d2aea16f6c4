package config

import (
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// The file `config init` writes sets no key, so it changes nothing; each
// commented line, uncommented alone, sets exactly the value it shows.
func TestInitTOMLSetsNothingAndEachLineRoundTrips(t *testing.T) {
	eff := Default()
	eff.Ports = []vpnport.Resource{{Kind: vpnport.UDP, Port: 1195}}
	eff.SSHForwardPorts = []uint16{15432}
	eff.Interval = 45e9
	disc := Default()
	disc.Ports, disc.SSHForwardPorts = eff.Ports, eff.SSHForwardPorts
	settings := Show(eff, nil, disc, nil)
	origins := Origins{"vpn.ports": {"/etc/openvpn/office.conf"}, "ssh.forward_ports": {"/home/u/.ssh/config\nports = [\"tcp/1\"]"}}
	text := InitTOML("/home/u/.config/traycheck/config.toml", settings, origins, "")

	cfg, err := Parse("init.toml", text)
	if err != nil {
		t.Fatalf("the written file does not load: %v\n%s", err, text)
	}
	if len(cfg.Keys) != 0 {
		t.Fatalf("the written file sets %v; want no key\n%s", cfg.Keys, text)
	}
	if !strings.Contains(string(text), `# ports = ["udp/1195"]   # discovered from /etc/openvpn/office.conf`+"\n") {
		t.Errorf("ports line lacks its value or origin:\n%s", text)
	}
	line := regexp.MustCompile(`(?m)^# ([a-z_]+) = (.*?)   # (.*)$`)
	seen := 0
	for _, m := range line.FindAllStringSubmatch(string(text), -1) {
		seen++
		key, val := m[1], m[2]
		// Uncomment this one line in its place.
		one := strings.Replace(string(text), m[0], key+" = "+val, 1)
		c, err := Parse("one.toml", []byte(one))
		if err != nil {
			t.Errorf("uncommenting %s: %v", key, err)
			continue
		}
		if len(c.Keys) != 1 {
			t.Errorf("uncommenting %s sets %v", key, c.Keys)
			continue
		}
		var want any
		for _, s := range settings {
			if s.Key == c.Keys[0] {
				want = s.Value
			}
		}
		if got := valueOf(c, c.Keys[0]); !reflect.DeepEqual(got, want) {
			t.Errorf("uncommented %s = %v, the comment said %v", c.Keys[0], got, want)
		}
	}
	if seen != len(initKeys) {
		t.Errorf("%d commented keys, want %d:\n%s", seen, len(initKeys), text)
	}
	if strings.Contains(string(text), "\nports = [\"tcp/1\"]") {
		t.Errorf("a newline in an origin became a line of TOML:\n%s", text)
	}
}

// EnsureUserFile writes the commented file once and leaves an existing one
// alone.
func TestEnsureUserFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "config.toml")
	created, err := EnsureUserFile(p)
	if err != nil || !created {
		t.Fatalf("first call: created %v, %v", created, err)
	}
	cfg, err := Load(p)
	if err != nil || len(cfg.Keys) != 0 {
		t.Fatalf("written file: %v, keys %v", err, cfg)
	}
	if err := WriteText(p, []byte("[vpn]\nname = \"mine\"\n"), true); err != nil {
		t.Fatal(err)
	}
	created, err = EnsureUserFile(p)
	if err != nil || created {
		t.Fatalf("second call: created %v, %v", created, err)
	}
	if cfg, _ := Load(p); cfg == nil || cfg.VPNName != "mine" {
		t.Errorf("an existing file was replaced: %+v", cfg)
	}
}
