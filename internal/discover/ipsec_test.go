package discover

import (
	"path/filepath"
	"strings"
	"testing"
)

// Debian's stock ipsec.conf (only "config setup", its sample conns commented
// out) and swanctl.conf (an empty connections section and an include of an
// empty conf.d) are an installed package, not an IPsec setup: discovery
// reports one only when a conn (other than %default) or a swanctl
// connection exists.
func TestIPsecSetupNeedsAConnection(t *testing.T) {
	t.Parallel()
	stockIPsec := "# ipsec.conf - strongSwan IPsec configuration file\n\nconfig setup\n\t# strictcrlpolicy=yes\n\n#conn sample-self-signed\n#      leftsubnet=10.1.0.0/16\n#      auto=start\n"
	stockSwanctl := "connections {\n\n   # Section for an IKE connection named <conn>.\n   # <conn> {\n   # }\n}\n\npools {\n}\n\ninclude conf.d/*.conf\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // the note's connections, "" for no setup
	}{
		{"stock", map[string]string{"ipsec.conf": stockIPsec, "swanctl/swanctl.conf": stockSwanctl}, ""},
		{"only defaults", map[string]string{"ipsec.conf": stockIPsec + "conn %default\n\tkeyexchange=ikev2\n"}, ""},
		{"indented conn is a setting", map[string]string{"ipsec.conf": "config setup\n  conn x\n"}, ""},
		{"conn", map[string]string{"ipsec.conf": stockIPsec + "conn %default\n\tike=aes256\nconn office\n\tright=vpn.example.com\n"}, "connections: office"},
		{"conn in an include", map[string]string{"ipsec.conf": stockIPsec + "include ipsec.d/*.conf\n", "ipsec.d/home.conf": "conn home\n\tauto=add\n"}, "connections: home"},
		{"swanctl connection", map[string]string{"swanctl/swanctl.conf": stockSwanctl, "swanctl/conf.d/office.conf": "connections {\n  office {\n    children {\n      net {\n      }\n    }\n  }\n}\n"}, "connections: office"},
	} {
		dir := t.TempDir()
		for n, text := range tc.files {
			write(t, filepath.Join(dir, n), text)
		}
		got := ipsecFiles(newBudget(), nil, []string{filepath.Join(dir, "ipsec.conf"), filepath.Join(dir, "swanctl", "swanctl.conf")})
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s: found %+v", tc.name, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0].Note, tc.want) || strings.Join(got[0].Ports, ",") != "udp/500,udp/4500"):
			t.Errorf("%s: got %+v, want a setup with %s", tc.name, got, tc.want)
		}
	}
}

// An include that cannot be read, with no connection in the rest, is named
// rather than dropped: it may hold the connection.
func TestIPsecUnreadableIncludeIsNamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ipsec.conf"), "config setup\ninclude "+filepath.Join(dir, "ipsec.d")+"\n")
	write(t, filepath.Join(dir, "ipsec.d", "x"), "")
	got := ipsecFiles(newBudget(), nil, []string{filepath.Join(dir, "ipsec.conf")})
	if len(got) != 1 || len(got[0].Ports) != 0 || !strings.Contains(skipText(got[0]), "ipsec.conf:2: include "+filepath.Join(dir, "ipsec.d")+": ") {
		t.Errorf("got %+v", got)
	}
}
