package discover

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// A configuration written with the real wg tool, then brought up by the real
// wireguard-go in a namespace: discovery's port is the port it binds.
func TestWireGuardDiscoveryMatchesRealWireGuard(t *testing.T) {
	wg := testenv.LookPath(t, "wg")
	wggo := testenv.LookPath(t, "wireguard-go")
	key, err := exec.Command(wg, "genkey").Output()
	if err != nil {
		t.Fatalf("wg genkey: %v", err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "wgtc0.conf")
	text := "[Interface]\nPrivateKey = " + strings.TrimSpace(string(key)) + "\nListenPort = 51999 # office\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got := Discover(t.Context(), Sources{WireGuard: []string{dir}})
	if len(got) != 1 || strings.Join(got[0].Ports, ",") != "udp/51999" || got[0].Adapter != "wgtc0" {
		t.Fatalf("discovery: %+v", got)
	}

	ns := testenv.NewNetNS(t)
	ctx := context.Background()
	cmd := ns.Command(ctx, wggo, "-f", "wgtc0")
	cmd.Env = append(os.Environ(), "WG_PROCESS_FOREGROUND=1")
	p := testenv.Start(t, cmd)
	testenv.WaitFor(t, 10*time.Second, "wireguard-go's interface", func() bool {
		if done, err := p.Exited(); done {
			t.Fatalf("wireguard-go exited: %v\n%s", err, p.Log.String())
		}
		return ns.Command(ctx, "ip", "link", "show", "wgtc0").Run() == nil
	})
	if out, err := ns.Command(ctx, wg, "setconf", "wgtc0", conf).CombinedOutput(); err != nil {
		t.Fatalf("wg setconf: %v\n%s", err, out)
	}
	out, _ := ns.Command(ctx, "ss", "-Hunap", "sport = :51999").Output()
	if !strings.Contains(string(out), "wireguard-go") {
		t.Fatalf("the real wireguard-go does not hold udp/51999: %q", out)
	}
}
