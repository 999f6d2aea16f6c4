package discover

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// Debian's openvpn package ships real profiles; they are the fixtures.
const ovpnSamples = "/usr/share/doc/openvpn/examples/sample-config-files"

func sample(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(ovpnSamples, name)
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, "openvpn's sample profile %s (package openvpn): %v", p, err)
	}
	return p
}

func TestOpenVPNShippedProfiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, ports, note, adapter string
	}{
		{"server.conf", "udp/1194", "", ""},
		{"client.conf", "", "nobind", ""},
		{"loopback-client", "udp/16001", "", ""},
		{"loopback-server", "udp/16000", "", ""},
	} {
		got := openVPNFiles(newBudget(), sample(t, tc.file), ".conf", ".ovpn")
		if len(got) != 1 {
			t.Fatalf("%s: got %d founds", tc.file, len(got))
		}
		f := got[0]
		if strings.Join(f.Ports, ",") != tc.ports || !strings.Contains(f.Note, tc.note) || f.Adapter != tc.adapter {
			t.Errorf("%s: ports %v note %q adapter %q; want ports %q note ~%q adapter %q", tc.file, f.Ports, f.Note, f.Adapter, tc.ports, tc.note, tc.adapter)
		}
		if !slices.Contains(f.Clients, "openvpn") {
			t.Errorf("%s: clients %v", tc.file, f.Clients)
		}
	}
}
