package diagnose_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func TestRealOpenVPN(t *testing.T) {
	testenv.LookPath(t, "openvpn")
	ns := testenv.NewNetNS(t)
	key := filepath.Join(t.TempDir(), "static.key")
	if out, err := exec.Command("openvpn", "--genkey", "secret", key).CombinedOutput(); err != nil {
		t.Fatalf("openvpn --genkey: %v\n%s", err, out)
	}
	ovpn := func(args ...string) *exec.Cmd {
		base := []string{"--dev", "null", "--secret", key, "--cipher", "AES-256-CBC", "--verb", "3"}
		return ns.Command(context.Background(), "openvpn", append(base, args...)...)
	}
	// A TCP server holds tcp/1194; a second one cannot bind, and its line
	// does not say tcp (OpenVPN prefixes "TCP/UDP:" whatever the protocol).
	testenv.Start(t, ovpn("--proto", "tcp-server", "--port", "1194"))
	waitBound(t, ns, "tcp", 1194)
	out := run(t, ovpn("--proto", "tcp-server", "--port", "1194"))
	check(t, out, want{"openvpn-bind", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.UDP, Port: 1194, AnyProto: true}, diagnose.ProgOpenVPN})

	hold(t, ns, "tcp", "127.0.0.1", 7505)
	out = run(t, ovpn("--port", "1195", "--management", "127.0.0.1", "7505"))
	check(t, out, want{"openvpn-management", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 7505, Address: "127.0.0.1"}, diagnose.ProgOpenVPN})
}

// sshd starts an OpenSSH server on 127.0.0.1:2222 in ns that lets root in
// with a fresh key, and returns the ssh client arguments that log in to it
// without reading or writing the user's ~/.ssh.
func sshd(t *testing.T, ns *testenv.NetNS) []string {
	t.Helper()
	testenv.LookPath(t, "ssh")
	testenv.LookPath(t, "ssh-keygen")
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		testenv.Missing(t, "OpenSSH's server /usr/sbin/sshd")
	}
	dir := t.TempDir()
	for _, k := range []string{"host", "user"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "user.pub"))
	if err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("Port 2222\nListenAddress 127.0.0.1\nHostKey %[1]s/host\nPidFile none\nAuthorizedKeysFile %[1]s/authorized_keys\n"+
		"PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\n", dir)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.Start(t, ns.PrivateRun(context.Background(), "exec /usr/sbin/sshd -D -e -f "+filepath.Join(dir, "sshd_config")))
	waitBound(t, ns, "tcp", 2222)
	return []string{"-F", "/dev/null", "-p", "2222", "-i", filepath.Join(dir, "user"), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ExitOnForwardFailure=yes", "-N"}
}

func TestRealSSHForwards(t *testing.T) {
	ns := testenv.NewNetNS(t)
	opts := sshd(t, ns)
	home := t.TempDir() // ssh never sees the user's ~/.ssh or agent
	ssh := func(args ...string) string {
		cmd := ns.Command(context.Background(), "ssh", append(append(opts, args...), "root@127.0.0.1")...)
		cmd.Env = append(os.Environ(), "HOME="+home, "SSH_AUTH_SOCK=")
		return run(t, cmd)
	}
	// -L on 127.0.0.1 (with "localhost" ssh would settle for ::1): the
	// local port is held here.
	hold(t, ns, "tcp", "127.0.0.1", 8080)
	check(t, ssh("-L", "127.0.0.1:8080:127.0.0.1:22"), want{"openssh-bind", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 8080, Address: "127.0.0.1"}, diagnose.ProgSSH})
	// -R: sshd on the server cannot bind it (held for IPv4 and IPv6 alike,
	// or sshd settles for the family it got); the client only hears that.
	hold(t, ns, "tcp6", "", 9001)
	check(t, ssh("-R", "9001:127.0.0.1:22"), want{"openssh-remote-forward", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 9001, Remote: true}, diagnose.ProgSSH})
}
