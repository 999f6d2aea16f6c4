package realprog

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

func TestCharonTwice(t *testing.T) {
	ns := testenv.NewNetNS(t)
	conf := `charon {
  port = 500
  port_nat_t = 4500
  load = random nonce sha1 sha2 hmac kernel-netlink socket-default
  filelog {
    stderr { default = 1 }
  }
}
`
	first := testenv.Start(t, ns.Charon(t, conf))
	waitHeld(t, ns, first, "udp", 500)
	waitHeld(t, ns, first, "udp", 4500)
	second := testenv.Start(t, ns.Charon(t, conf))
	testenv.WaitFor(t, 10*time.Second, "the second charon to fail binding", func() bool {
		return strings.Contains(second.Log.String(), "could not create any sockets")
	})
	cfg := writeConfig(t, vpnConfig("udp/500", "udp/4500"))
	code, fs := check(t, ns, nil, cfg)
	for _, f := range fs {
		if f.Cause != "vpn-client" || !slices.Equal(f.holderPIDs(false), []int{first.Cmd.Process.Pid}) {
			t.Errorf("as root: %s: %s", f.Cause, f.Message)
		}
	}
	if code != 0 {
		t.Errorf("as root: exit %d", code)
	}
	code, fs = check(t, ns, asNobody(t), cfg)
	for _, f := range fs {
		t.Log(f.Message)
		pids := f.holderPIDs(true)
		if f.Cause != "vpn-client" || !slices.Contains(pids, first.Cmd.Process.Pid) || !slices.Contains(pids, second.Cmd.Process.Pid) {
			t.Errorf("as nobody: %s (probable %v): %s", f.Cause, pids, f.Message)
		}
	}
	if code != 0 {
		t.Errorf("as nobody: exit %d", code)
	}
}

// wireguard-go (user-space WireGuard) on its port: a VPN client as root,
// probably the VPN client as nobody.
func TestWireGuardGo(t *testing.T) {
	ns := testenv.NewNetNS(t)
	wggo := testenv.LookPath(t, "wireguard-go")
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		testenv.Missing(t, "/dev/net/tun for wireguard-go: %v", err)
	}
	wg := testenv.LookPath(t, "wg")
	dir := t.TempDir()
	key, err := exec.Command(wg, "genkey").Output()
	if err != nil {
		t.Fatalf("wg genkey: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "key"), key, 0o600)
	script := fmt.Sprintf(`%[1]s -f wgt0 &
for i in $(seq 100); do [ -S /run/wireguard/wgt0.sock ] && break; sleep 0.05; done
%[2]s set wgt0 listen-port 51820 private-key %[3]s/key && ip link set wgt0 up && echo configured
wait`, wggo, wg, dir)
	p := testenv.Start(t, ns.PrivateRun(context.Background(), script))
	waitHeld(t, ns, p, "udp", 51820)
	pids := nsPIDs(t, ns, "wireguard-go")
	if len(pids) != 1 {
		t.Fatalf("wireguard-go processes %v\n%s", pids, p.Log.String())
	}
	cfg := writeConfig(t, vpnConfig("udp/51820"))
	code, fs := check(t, ns, nil, cfg)
	if f := only(t, fs); code != 0 || f.Cause != "vpn-client" || !slices.Equal(f.holderPIDs(false), pids) {
		t.Errorf("as root: exit %d, %s: %s", code, f.Cause, f.Message)
	}
	code, fs = check(t, ns, asNobody(t), cfg)
	f := only(t, fs)
	t.Log(f.Message)
	if code != 0 || f.Cause != "vpn-client" || !slices.Contains(f.holderPIDs(true), pids[0]) {
		t.Errorf("as nobody: exit %d, %s: %s", code, f.Cause, f.Message)
	}
}

// xl2tpd on L2TP's port.
func TestXL2TPD(t *testing.T) {
	ns := testenv.NewNetNS(t)
	xl2tpd := testenv.LookPath(t, "xl2tpd")
	dir := t.TempDir()
	conf := filepath.Join(dir, "xl2tpd.conf")
	os.WriteFile(conf, []byte("[global]\nlisten-addr = 127.0.0.1\nport = 1701\n"), 0o644)
	p := testenv.Start(t, ns.Command(context.Background(), xl2tpd, "-D", "-c", conf,
		"-p", filepath.Join(dir, "xl2tpd.pid"), "-C", filepath.Join(dir, "l2tp-control")))
	waitHeld(t, ns, p, "udp", 1701)
	cfg := writeConfig(t, vpnConfig("udp/1701"))
	code, fs := check(t, ns, nil, cfg)
	if f := only(t, fs); code != 0 || f.Cause != "vpn-client" || !slices.Equal(f.holderPIDs(false), []int{p.Cmd.Process.Pid}) {
		t.Errorf("as root: exit %d, %s: %s", code, f.Cause, f.Message)
	}
	code, fs = check(t, ns, asNobody(t), cfg)
	f := only(t, fs)
	t.Log(f.Message)
	if code != 0 || f.Cause != "vpn-client" || !slices.Contains(f.holderPIDs(true), p.Cmd.Process.Pid) {
		t.Errorf("as nobody: exit %d, %s: %s", code, f.Cause, f.Message)
	}
}

// dnsmasq on OpenVPN's port is another program, never "probably your VPN",
// even with an openvpn naming that port running in another namespace: as
// root it is named; as nobody its owner stays hidden (it bound as root and
// dropped to nobody, so its socket is root's and its fds unreadable).
func TestDnsmasqOnVPNPort(t *testing.T) {
	ns := testenv.NewNetNS(t)
	// A root openvpn on the same port number in another namespace (a
	// container's, say) holds nothing here: it must not be the guess.
	other := testenv.NewNetNS(t)
	waitHeld(t, other, startOpenVPN(t, other, "127.0.0.1"), "udp", 1194)
	dnsmasq := testenv.LookPath(t, "dnsmasq")
	p := testenv.Start(t, ns.Command(context.Background(), dnsmasq, "-k", "--conf-file=/dev/null", "--port=1194",
		"--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=", "--log-facility=-"))
	waitHeld(t, ns, p, "udp", 1194)
	cfg := writeConfig(t, vpnConfig("udp/1194", "tcp/1194"))
	code, fs := check(t, ns, nil, cfg)
	for _, f := range fs {
		t.Log(f.Message)
		if f.Cause != "other-app" || len(f.Holders) != 1 || f.Holders[0].Name != "dnsmasq" || !slices.Contains(f.Actions, "end-process") {
			t.Errorf("as root: %s: %s", f.Cause, f.Message)
		}
	}
	if code != 1 {
		t.Errorf("as root: exit %d", code)
	}
	code, fs = check(t, ns, asNobody(t), cfg)
	for _, f := range fs {
		t.Log(f.Message)
		if (f.Cause != "other-app" && f.Cause != "hidden-owner") || len(f.holderPIDs(true)) > 0 {
			t.Errorf("as nobody: %s: %s", f.Cause, f.Message)
		}
	}
	if code != 1 {
		t.Errorf("as nobody: exit %d", code)
	}
}
