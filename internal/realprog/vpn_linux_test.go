package realprog

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// startOpenVPN runs a real openvpn in ns on udp 127.0.0.1:1194 with a static
// key and the null device, so no tun is needed.
func startOpenVPN(t *testing.T, ns *testenv.NetNS, local string, extra ...string) *testenv.Proc {
	t.Helper()
	ovpn := testenv.LookPath(t, "openvpn")
	key := filepath.Join(t.TempDir(), "static.key")
	if out, err := exec.Command(ovpn, "--genkey", "secret", key).CombinedOutput(); err != nil {
		t.Fatalf("openvpn --genkey: %v\n%s", err, out)
	}
	return testenv.Start(t, ns.Command(context.Background(), ovpn, append([]string{"--dev", "null", "--proto", "udp",
		"--local", local, "--lport", "1194", "--secret", key, "--cipher", "AES-256-CBC", "--verb", "3"}, extra...)...))
}

// The desktop user's healthy system VPN is not red: openvpn runs as root,
// traycheck as nobody cannot read its fds, yet names it as the probable
// holder and exits 0. As root it names it for certain.
func TestSystemOpenVPNProbableForUser(t *testing.T) {
	ns := testenv.NewNetNS(t)
	p := startOpenVPN(t, ns, "127.0.0.1")
	waitHeld(t, ns, p, "udp", 1194)
	pid := p.Cmd.Process.Pid
	cfg := writeConfig(t, vpnConfig("udp/1194", "udp/500"))

	code, fs := check(t, ns, nil, cfg)
	if code != 0 || fs[0].Cause != "vpn-client" || !slices.Equal(fs[0].holderPIDs(false), []int{pid}) {
		t.Fatalf("as root: exit %d, %+v", code, fs)
	}

	code, fs = check(t, ns, asNobody(t), cfg)
	f := fs[0]
	t.Logf("as nobody: %s", f.Message)
	if code != 0 || f.Cause != "vpn-client" {
		t.Fatalf("as nobody: exit %d, udp/1194 %s: %s", code, f.Cause, f.Message)
	}
	if !slices.Contains(f.holderPIDs(true), pid) {
		t.Errorf("probable holders %v lack openvpn PID %d: %s", f.holderPIDs(true), pid, f.Message)
	}
	if want := "probably your VPN client openvpn (PID "; !strings.Contains(f.Message, want) || !strings.Contains(f.Message, "check as administrator to be sure") {
		t.Errorf("message %q", f.Message)
	}
	if fs[1].Cause != "free" {
		t.Errorf("udp/500: %s", fs[1].Message)
	}

	// A second openvpn on the same port fails to bind and exits; the first
	// is still the VPN working, not a conflict.
	second := startOpenVPN(t, ns, "127.0.0.1")
	second.Wait(t, 20*time.Second)
	if !strings.Contains(second.Log.String(), "Address already in use") {
		t.Errorf("second openvpn did not fail on the port:\n%s", second.Log.String())
	}
	if code, fs = check(t, ns, nil, cfg, "udp/1194"); code != 0 || fs[0].Cause != "vpn-client" {
		t.Errorf("after the second failed: exit %d, %+v", code, fs)
	}
}

// Two copies of openvpn on one port, each on its own address: traycheck says
// which holds which address and which is the older.
func TestTwoOpenVPNsSayAddressAndAge(t *testing.T) {
	ns := testenv.NewNetNS(t)
	a := startOpenVPN(t, ns, "127.0.0.1")
	waitHeld(t, ns, a, "udp", 1194)
	time.Sleep(1100 * time.Millisecond) // start times differ by whole seconds in the text
	b := startOpenVPN(t, ns, "127.0.0.2")
	testenv.WaitFor(t, 10*time.Second, "second openvpn bound", func() bool {
		out, _ := ns.Command(context.Background(), "ss", "-Hunl", "src 127.0.0.2").Output()
		return strings.Contains(string(out), ":1194")
	})
	cfg := writeConfig(t, vpnConfig("udp/1194"))
	code, fs := check(t, ns, nil, cfg)
	f := only(t, fs)
	t.Log(f.Message)
	if code != 1 || f.Cause != "same-app-instance" {
		t.Fatalf("exit %d: %s: %s", code, f.Cause, f.Message)
	}
	older, newer := a.Cmd.Process.Pid, b.Cmd.Process.Pid
	for _, want := range []string{"on 127.0.0.1", "on 127.0.0.2", "older", "newer"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message lacks %q: %s", want, f.Message)
		}
	}
	if i, j := strings.Index(f.Message, itoa(older)), strings.Index(f.Message, "the older"); i < 0 || j < i {
		t.Errorf("PID %d is the older; message: %s", older, f.Message)
	}
	if got := f.holderPIDs(false); len(got) != 2 || got[0] != older || got[1] != newer {
		t.Errorf("holders %v, want the older %d first (end-process acts on it)", got, older)
	}
}

// openvpn --user nobody binds as root, then drops to nobody: its socket
// stays root's while the process is nobody's and no longer dumpable, so even
// nobody cannot read its fds. It is still the probable holder.
func TestOpenVPNDroppedPrivileges(t *testing.T) {
	ns := testenv.NewNetNS(t)
	p := startOpenVPN(t, ns, "127.0.0.1", "--user", "nobody", "--group", "nogroup")
	waitHeld(t, ns, p, "udp", 1194)
	testenv.WaitFor(t, 10*time.Second, "openvpn to drop privileges", func() bool {
		return strings.Contains(p.Log.String(), "UID set to nobody")
	})
	code, fs := check(t, ns, asNobody(t), writeConfig(t, vpnConfig("udp/1194")))
	f := only(t, fs)
	t.Log(f.Message)
	if code != 0 || f.Cause != "vpn-client" || !slices.Contains(f.holderPIDs(true), p.Cmd.Process.Pid) || !strings.Contains(f.Message, "user nobody") {
		t.Errorf("exit %d, %s: %s", code, f.Cause, f.Message)
	}
}
