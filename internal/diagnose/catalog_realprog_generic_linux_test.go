package diagnose_test

// Issue 24: programs the catalogue has no row of its own for. Their texts
// are recognised by their errno wording, and the port comes from the
// general extractor, wherever the program printed it; a text without one
// gets no port (never a guess).

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

// sshd -p: "Bind to port 2222 on 0.0.0.0 failed: Address already in use."
func TestRealSSHDPort(t *testing.T) {
	sshd := testenv.LookPath(t, "sshd")
	keygen := testenv.LookPath(t, "ssh-keygen")
	ns := testenv.NewNetNS(t)
	hold(t, ns, "tcp", "0.0.0.0", 2222)
	dir := t.TempDir()
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "host")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "sshd_config")
	conf := fmt.Sprintf("ListenAddress 0.0.0.0\nHostKey %s/host\nPidFile none\nUsePAM no\n", dir)
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(t, ns.PrivateRun(context.Background(), "mkdir -m 755 -p /run/sshd && exec "+sshd+" -D -e -p 2222 -f "+cfg))
	check(t, out, want{"eaddrinuse", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 2222, Address: "0.0.0.0", AnyProto: true}, ""})
}

// socat TCP-LISTEN: the sockaddr it printed, tcp or udp unsaid.
func TestRealSocatTCP(t *testing.T) {
	ns := testenv.NewNetNS(t)
	hold(t, ns, "tcp", "127.0.0.1", 6379)
	out := run(t, ns.Command(context.Background(), "socat", "TCP-LISTEN:6379,bind=127.0.0.1", "STDOUT"))
	check(t, out, want{"socat-bind", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 6379, Address: "127.0.0.1", AnyProto: true}, diagnose.ProgSocat})
}

// python3 -m http.server: the traceback names no port; explain must not
// invent one (the command line's bare number is no address form).
func TestRealPythonHTTPServer(t *testing.T) {
	py := testenv.LookPath(t, "python3")
	ns := testenv.NewNetNS(t)
	hold(t, ns, "tcp", "0.0.0.0", 8000)
	out := run(t, ns.Command(context.Background(), py, "-m", "http.server", "--bind", "0.0.0.0", "8000"))
	check(t, out, want{"python-errno", diagnose.AddressInUse, diagnose.TextResource{}, ""})
}

// socat as an unprivileged user on a port below 1024: the general entry
// for a refused bind, and the port from socat's sockaddr.
func TestRealSocatForbidden(t *testing.T) {
	setpriv := testenv.LookPath(t, "setpriv")
	socat := testenv.LookPath(t, "socat")
	ns := testenv.NewNetNS(t)
	out := run(t, ns.Command(context.Background(), setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", socat, "TCP-LISTEN:80", "STDOUT"))
	check(t, out, want{"bind-forbidden", diagnose.AccessForbidden,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 80, Address: "0.0.0.0", AnyProto: true}, diagnose.ProgSocat})
}
