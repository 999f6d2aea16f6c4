package config

import (
	"os"
	"strings"
	"testing"
)

// testdata/com.traycheck.traycheck.plist has the layout macOS writes for a
// managed preference (XML form, tabs); macOS does not run here: a fixture.
func TestPolicyPlist(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/com.traycheck.traycheck.plist")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicyPlist("com.traycheck.traycheck.plist", data, testActions)
	if err != nil {
		t.Fatal(err)
	}
	if p.Values.VPNName != "Corp VPN" || len(p.Values.Ports) != 2 || p.Values.SSHForwardPorts[0] != 5432 ||
		!p.ShareCmdline || !p.Forbids("end-process") || p.MaxInterval.String() != "1m0s" {
		t.Fatalf("%+v %+v", p, p.Values)
	}
	if !p.Sets("vpn.ports") || p.Sets("vpn.adapter") || !p.Sets("policy.share_cmdline") {
		t.Error("Sets")
	}
}

func TestPolicyPlistErrors(t *testing.T) {
	t.Parallel()
	wrap := func(s string) []byte { return []byte("<plist><dict>" + s + "</dict></plist>") }
	for _, tc := range []struct {
		data []byte
		want string
	}{
		{[]byte("bplist00..."), "p.plist: a binary plist"},
		{wrap("<key>vpn</key><string>x</string>"), "p.plist: vpn: vpn must be a dict"},
		{wrap("<key>vpn</key><dict><key>ports</key><array><string>udp/70000</string></array></dict>"), `p.plist: vpn.ports: bad port "udp/70000"`},
		{wrap("<key>policy</key><dict><key>forbid_actions</key><array><string>rm</string></array></dict>"), `p.plist: policy.forbid_actions: unknown action "rm"`},
		{wrap("<key>vpn</key><dict><key>colour</key><string>x</string></dict>"), `p.plist: vpn.colour: unknown key "colour" in [vpn]`},
		{wrap("<key>ssh</key><dict><key>forward_ports</key><array><integer>1</integer><string>2</string></array></dict>"), "malformed plist: ssh: forward_ports: an array mixes"},
		{[]byte("<plist><dict><key>vpn</key>"), "malformed plist"},
	} {
		_, err := ParsePolicyPlist("p.plist", tc.data, testActions)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %s", tc.data, err, tc.want)
		}
	}
}
