package discover

import (
	"os"
	"path/filepath"
	"testing"
)

// The comment of `config init` names the line that sets a discovered port
// only when exactly one line does; a remote's port is not a local one.
func TestPortLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ovpn := write("work.conf", "client\nremote vpn.example.com 1195\nport 1195\n")
	wg := write("wg0.conf", "[Interface]\r\nListenPort = 51821\r\n")
	twice := write("twice.conf", "port 1196\nlport 1196\n")
	ssh := write("ssh_config", "Host db\n  LocalForward 127.0.0.1:15432 localhost:5432\n")
	for _, c := range []struct{ src, num, want string }{
		{ovpn, "1195", ovpn + ":3"},
		{wg, "51821", wg + ":2"},
		{twice, "1196", twice},
		{ssh, "15432", ssh + ":2"},
		{ssh, "5432", ssh}, // the remote side of a forward
		{filepath.Join(dir, "gone.conf"), "1", filepath.Join(dir, "gone.conf")},
		{"/org/freedesktop/NetworkManager/Settings/3", "1194", "/org/freedesktop/NetworkManager/Settings/3"},
	} {
		if got := portLine(c.src, c.num); got != c.want {
			t.Errorf("portLine(%s, %s) = %s, want %s", filepath.Base(c.src), c.num, got, c.want)
		}
	}
}
