package diagnose_test

// The real-program lane for the explain catalogue: each program runs in a
// private network namespace against a port a socat (or the program itself)
// already holds there; what it prints is captured and fed to Explain. A
// catalogue entry for a program that runs here is only trusted once the
// program's own words match it.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// hold binds proto/port on addr inside ns with socat and waits until the
// kernel shows the socket.
func hold(t *testing.T, ns *testenv.NetNS, proto string, addr string, port int) {
	t.Helper()
	testenv.LookPath(t, "socat")
	var spec string
	switch proto {
	case "udp":
		spec = fmt.Sprintf("UDP-RECV:%d,bind=%s", port, addr)
	case "udp6":
		spec = fmt.Sprintf("UDP6-RECV:%d", port)
	case "tcp":
		spec = fmt.Sprintf("TCP-LISTEN:%d,bind=%s", port, addr)
	case "tcp6": // [::] with IPv4 mapped: holds both families
		spec = fmt.Sprintf("TCP6-LISTEN:%d,ipv6only=0", port)
	}
	testenv.Start(t, ns.Command(context.Background(), "socat", "-u", spec, "STDOUT"))
	waitBound(t, ns, proto[:3], port)
}

// waitBound waits until something in ns holds proto/port.
func waitBound(t *testing.T, ns *testenv.NetNS, proto string, port int) {
	t.Helper()
	flag := "-Htln"
	if proto == "udp" {
		flag = "-Huln"
	}
	testenv.WaitFor(t, 10*time.Second, fmt.Sprintf("%s/%d bound in %s", proto, port, ns.Name), func() bool {
		out, _ := ns.Command(context.Background(), "ss", flag, fmt.Sprintf("sport = :%d", port)).Output()
		return strings.TrimSpace(string(out)) != ""
	})
}

// run runs a program that fails and exits by itself, and returns what it
// printed.
func run(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	p := testenv.Start(t, cmd)
	p.Wait(t, 20*time.Second)
	return p.Log.String()
}

// until runs a program that keeps running after its error, and returns its
// output once it contains want.
func until(t *testing.T, cmd *exec.Cmd, want string) string {
	t.Helper()
	p := testenv.Start(t, cmd)
	testenv.WaitFor(t, 20*time.Second, fmt.Sprintf("%q from %s", want, cmd.Args), func() bool {
		return strings.Contains(p.Log.String(), want)
	})
	// Its words are captured; gunicorn would take seconds to honour a TERM
	// while it retries, and the namespace goes with the test anyway.
	syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	p.Stop()
	return p.Log.String()
}

type want struct {
	entry   string
	family  diagnose.Family
	res     diagnose.TextResource
	program string
}

func check(t *testing.T, out string, w want) {
	t.Helper()
	m := diagnose.Explain(out)
	if !m.Matched || m.Entry != w.entry || m.Family != w.family || m.Resource != w.res || m.Program != w.program {
		t.Fatalf("the real program printed:\n%s\nExplain: entry=%s family=%s res=%+v program=%q\nwant:    entry=%s family=%s res=%+v program=%q",
			out, m.Entry, m.Family, m.Resource, m.Program, w.entry, w.family, w.res, w.program)
	}
}

func TestRealSocatBind(t *testing.T) {
	ns := testenv.NewNetNS(t)
	hold(t, ns, "udp", "0.0.0.0", 4789)
	out := run(t, ns.Command(context.Background(), "socat", "-u", "UDP-RECV:4789", "STDOUT"))
	check(t, out, want{"socat-bind", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 4789, Address: "0.0.0.0", AnyProto: true}, diagnose.ProgSocat})
	hold(t, ns, "udp6", "", 4790)
	out = run(t, ns.Command(context.Background(), "socat", "-u", "UDP6-RECV:4790", "STDOUT"))
	check(t, out, want{"socat-bind", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 4790, Address: "::", AnyProto: true}, diagnose.ProgSocat})
}

func TestRealGunicorn(t *testing.T) {
	testenv.LookPath(t, "gunicorn")
	ns := testenv.NewNetNS(t)
	hold(t, ns, "tcp", "127.0.0.1", 18000)
	dir := t.TempDir()
	app := "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n"
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	out := until(t, ns.Command(context.Background(), "gunicorn", "-b", "127.0.0.1:18000", "--chdir", dir, "app:app"), "Connection in use")
	check(t, out, want{"gunicorn-in-use", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.TCP, Port: 18000, Address: "127.0.0.1"}, diagnose.ProgGunicorn})
}

func TestRealXL2TPD(t *testing.T) {
	testenv.LookPath(t, "xl2tpd")
	ns := testenv.NewNetNS(t)
	hold(t, ns, "udp", "127.0.0.1", 1701)
	dir := t.TempDir()
	conf := filepath.Join(dir, "xl2tpd.conf")
	if err := os.WriteFile(conf, []byte("[global]\nlisten-addr = 127.0.0.1\nport = 1701\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(t, ns.PrivateRun(context.Background(), fmt.Sprintf("exec xl2tpd -D -c %s -p %s/pid -C %s/control", conf, dir, dir)))
	check(t, out, want{"xl2tpd-bind", diagnose.AddressInUse, diagnose.TextResource{}, diagnose.ProgXL2TPD})
}

func TestRealDnsmasq(t *testing.T) {
	testenv.LookPath(t, "dnsmasq")
	ns := testenv.NewNetNS(t)
	dir := t.TempDir()
	dnsmasq := func(args ...string) string {
		base := []string{"-d", "-k", "--conf-file=/dev/null", "--leasefile-ro", "--pid-file=" + filepath.Join(dir, "pid")}
		return run(t, ns.Command(context.Background(), "dnsmasq", append(base, args...)...))
	}
	hold(t, ns, "udp", "127.0.0.1", 5353)
	check(t, dnsmasq("-p", "5353"), want{"dnsmasq-port", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.UDP, Port: 5353, AnyProto: true}, diagnose.ProgDnsmasq})
	check(t, dnsmasq("-p", "5353", "--listen-address=127.0.0.1", "--bind-interfaces"), want{"dnsmasq-address", diagnose.AddressInUse,
		diagnose.TextResource{Address: "127.0.0.1"}, diagnose.ProgDnsmasq})
	hold(t, ns, "udp", "0.0.0.0", 67)
	check(t, dnsmasq("-p", "0", "--dhcp-range=127.0.0.50,127.0.0.60"), want{"dnsmasq-dhcp", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.UDP, Port: 67}, diagnose.ProgDnsmasq})
	hold(t, ns, "udp6", "", 547)
	check(t, dnsmasq("-p", "0", "--dhcp-range=fd00::100,fd00::1ff"), want{"dnsmasq-dhcp6", diagnose.AddressInUse,
		diagnose.TextResource{Kind: vpnport.UDP, Port: 547}, diagnose.ProgDnsmasq})
}

// charonConf is a minimal strongSwan config: no stroke/vici (no secrets read),
// no routes installed, the log on stderr.
const charonConf = `charon {
  load_modular = no
  load = random nonce aes sha1 sha2 md5 hmac gmp pem pkcs1 x509 pubkey kernel-netlink socket-default
  install_routes = no
  filelog {
    stderr {
      default = 1
    }
  }
}
`

func TestRealCharonBind(t *testing.T) {
	ns := testenv.NewNetNS(t)
	hold(t, ns, "udp", "0.0.0.0", 500)
	out := until(t, ns.Charon(t, charonConf), "unable to bind socket")
	check(t, out, want{"charon-bind", diagnose.AddressInUse, diagnose.TextResource{}, diagnose.ProgCharon})
}

func TestRealWireGuardGo(t *testing.T) {
	testenv.LookPath(t, "wireguard-go")
	testenv.LookPath(t, "wg")
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		testenv.Missing(t, "/dev/net/tun for wireguard-go")
	}
	ns := testenv.NewNetNS(t)
	hold(t, ns, "udp", "0.0.0.0", 51820)
	dir := t.TempDir()
	key, err := exec.Command("wg", "genkey").Output()
	if err != nil {
		t.Fatalf("wg genkey: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	// wireguard-go and wg share the private /run, where the UAPI socket is.
	script := fmt.Sprintf(`WG_PROCESS_FOREGROUND=1 wireguard-go -f wgtc0 & pid=$!
for i in $(seq 100); do [ -S /run/wireguard/wgtc0.sock ] && break; sleep 0.05; done
wg set wgtc0 private-key %s/key listen-port 51820
sleep 0.3; kill $pid; wait $pid`, dir)
	out := run(t, ns.PrivateRun(context.Background(), script))
	check(t, out, want{"wireguard-go-listen-port", diagnose.AddressInUse, diagnose.TextResource{}, diagnose.ProgWireGuard})
	// wg's own line, pasted alone.
	var wgLine string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "Unable to modify interface") {
			wgLine = l
		}
	}
	check(t, wgLine, want{"wireguard-setconf", diagnose.AddressInUse, diagnose.TextResource{}, diagnose.ProgWireGuard})
}
