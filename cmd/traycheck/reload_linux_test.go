package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestWatchReloadsLive runs the real `traycheck watch --json` on real files
// in a private home: an edit of the user's file puts the new port under
// watch, a new OpenVPN profile in a discovered directory is watched, and a
// bad edit keeps the last good config and says so with file and line. The
// waits are generous deadlines, not timings.
func TestWatchReloadsLive(t *testing.T) {
	dir, env := privateHome(t)
	root := filepath.Join(dir, "etc")
	if err := os.MkdirAll(filepath.Join(root, "openvpn"), 0o700); err != nil {
		t.Fatal(err)
	}
	env = append(env, "TRAYCHECK_TEST_DISCOVER_ROOT="+root, "TRAYCHECK_TEST_POLICY="+filepath.Join(dir, "policy.toml"), "PATH="+os.Getenv("PATH"))
	cfg := filepath.Join(dir, "config", "traycheck", "config.toml")
	write := func(p, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+".new", []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".new", p); err != nil {
			t.Fatal(err)
		}
	}
	p1, p2 := freeUDPPort(t), freeUDPPort(t)
	write(cfg, fmt.Sprintf("[check]\ninterval = \"1h\"\n[ssh]\nforward_ports = [%d]\n", p1))

	c := startChild(t, env, "watch", "--json")
	c.waitOutput(t, fmt.Sprintf(`"port":%d}`, p1))

	write(cfg, fmt.Sprintf("[check]\ninterval = \"1h\"\n[ssh]\nforward_ports = [%d]\n", p2))
	c.waitOutput(t, fmt.Sprintf(`"ssh.forward_ports: [%d] (user) -\u003e [%d] (user)"`, p1, p2))
	c.waitOutput(t, fmt.Sprintf(`"port":%d}`, p2))

	write(filepath.Join(root, "openvpn", "home.ovpn"), "client\nremote home.example.com\nport 1196\n")
	c.waitOutput(t, `"port":1196}`)

	write(cfg, "[check]\ninterval = \"1h\"\n[ssh]\nforward_ports = [0]\n")
	c.waitOutput(t, fmt.Sprintf(`"file":"%s","line":4`, cfg))
	c.waitOutput(t, cfg+`:4:18: forward port 0 is out of range`)
}
