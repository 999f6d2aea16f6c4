package realprog

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/testenv"
)

// A VXLAN interface holds its UDP port in the kernel, with no process:
// traycheck names the interface and its VNI, as root and as nobody.
func TestVXLANNamed(t *testing.T) {
	ns := testenv.NewNetNS(t)
	for _, args := range [][]string{
		{"link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "127.0.0.1", "dev", "lo"},
		{"link", "set", "vx0", "up"},
	} {
		if out, err := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...).CombinedOutput(); err != nil {
			testenv.Missing(t, "a VXLAN interface: ip %v: %v %s", args, err, out)
		}
	}
	cfg := writeConfig(t, vpnConfig("udp/4789"))
	for _, who := range []struct {
		name   string
		prefix []string
	}{{"root", nil}, {"nobody", asNobody(t)}} {
		code, fs := check(t, ns, who.prefix, cfg)
		f := only(t, fs)
		t.Logf("as %s: %s", who.name, f.Message)
		if code != 1 || f.Cause != "kernel-owned" || !strings.Contains(f.Message, "held by the kernel's VXLAN interface vx0 (VNI 42)") {
			t.Errorf("as %s: exit %d, %s: %s", who.name, code, f.Cause, f.Message)
		}
	}
}
