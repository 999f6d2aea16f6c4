package main

// `traycheck explain` against real VPN daemons: each test runs charon or
// openvpn in a private network namespace, captures what it printed, and runs
// the real traycheck binary (the one testscript puts on PATH) in the same
// namespace on that text.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/testenv"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// rpHold binds a UDP or TCP port in ns with socat and waits until it shows.
func rpHold(t *testing.T, ns *testenv.NetNS, spec, proto string, port int) {
	t.Helper()
	testenv.LookPath(t, "socat")
	testenv.Start(t, ns.Command(context.Background(), "socat", "-u", spec, "STDOUT"))
	rpWaitBound(t, ns, proto, port)
}

func rpWaitBound(t *testing.T, ns *testenv.NetNS, proto string, port int) {
	t.Helper()
	flag := map[string]string{"tcp": "-Htln", "udp": "-Huln"}[proto]
	testenv.WaitFor(t, 10*time.Second, fmt.Sprintf("%s/%d bound in %s", proto, port, ns.Name), func() bool {
		out, _ := ns.Command(context.Background(), "ss", flag, fmt.Sprintf("sport = :%d", port)).Output()
		return strings.TrimSpace(string(out)) != ""
	})
}

const rpCharonConf = `charon {
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

// rpCharon starts charon in ns with a minimal config and a private /run (its
// pid file), and returns it once it logged want.
func rpCharon(t *testing.T, ns *testenv.NetNS, want string) *testenv.Proc {
	t.Helper()
	cmd := ns.Charon(t, rpCharonConf)
	p := testenv.Start(t, cmd)
	testenv.WaitFor(t, 20*time.Second, "charon: "+want, func() bool { return strings.Contains(p.Log.String(), want) })
	return p
}

// rpOpenVPN returns an openvpn command in ns with a fresh static key.
func rpOpenVPN(t *testing.T, ns *testenv.NetNS, args ...string) *exec.Cmd {
	t.Helper()
	testenv.LookPath(t, "openvpn")
	key := filepath.Join(t.TempDir(), "static.key")
	if out, err := exec.Command("openvpn", "--genkey", "secret", key).CombinedOutput(); err != nil {
		t.Fatalf("openvpn --genkey: %v\n%s", err, out)
	}
	base := []string{"--dev", "null", "--secret", key, "--cipher", "AES-256-CBC", "--verb", "3"}
	return ns.Command(context.Background(), "openvpn", append(base, args...)...)
}

type rpExplained struct {
	Program  string             `json:"program"`
	Findings []diagnose.Finding `json:"findings"`
}

// rpExplain runs `traycheck explain [--json] TEXT` in ns with the default
// config (a fresh XDG_CONFIG_HOME) and returns its stdout and exit code.
func rpExplain(t *testing.T, ns *testenv.NetNS, text string, asJSON bool) (string, int) {
	t.Helper()
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatalf("traycheck is not on PATH (testscript puts it there): %v", err)
	}
	args := []string{"explain"}
	if asJSON {
		args = append(args, "--json")
	}
	cmd := ns.Command(context.Background(), bin, append(args, text)...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+home, "HOME="+home)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("traycheck explain: %v", err)
	}
	if stderr.Len() > 0 {
		t.Logf("traycheck explain stderr: %s", stderr.String())
	}
	return string(out), code
}

func rpFindings(t *testing.T, out string) rpExplained {
	t.Helper()
	var e rpExplained
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("explain --json: %v\n%s", err, out)
	}
	return e
}

// Issue 10 item 3: charon's "unable to bind socket" names no port. explain
// checks charon's ports only, never OpenVPN's, and the charon that printed
// the text (still running on the sockets it got) is the VPN, not "another
// instance" to end.
func TestExplainNoPortTextNeverBlamesTheVPN(t *testing.T) {
	ns := testenv.NewNetNS(t)
	rpHold(t, ns, "UDP4-RECV:500", "udp", 500) // the conflict: IPv4 udp/500
	charon := rpCharon(t, ns, "unable to bind socket")
	rpWaitBound(t, ns, "udp", 4500)
	testenv.Start(t, rpOpenVPN(t, ns, "--port", "1194")) // an unrelated, working OpenVPN
	rpWaitBound(t, ns, "udp", 1194)

	out, code := rpExplain(t, ns, charon.Log.String(), true)
	e := rpFindings(t, out)
	if code != exitAttention || e.Program != diagnose.ProgCharon {
		t.Errorf("exit %d program %q; want %d (socat holds udp/500), charon\n%s", code, e.Program, exitAttention, out)
	}
	got := map[vpnport.Resource]diagnose.Finding{}
	for _, f := range e.Findings {
		got[f.Resource] = f
		if f.Cause == diagnose.SameAppInstance {
			t.Errorf("%s: same-app-instance with one charon running\n%s", f.Resource, out)
		}
		for _, h := range f.Holders {
			if h.Name == "openvpn" {
				t.Errorf("%s: the unrelated openvpn is named\n%s", f.Resource, out)
			}
		}
	}
	if len(got) != 2 {
		t.Fatalf("checked %d resources, want charon's udp/500 and udp/4500 only:\n%s", len(got), out)
	}
	if f := got[vpnport.Resource{Kind: vpnport.UDP, Port: 4500}]; f.Cause != diagnose.VPNClient {
		t.Errorf("udp/4500 (charon's own) is %s, want vpn-client: %s", f.Cause, f.Message)
	}
	f := got[vpnport.Resource{Kind: vpnport.UDP, Port: 500}]
	if h, ok := f.ActHolder(); f.Cause != diagnose.OtherApp || !ok || h.Name != "socat" {
		t.Errorf("udp/500 is %s acting on %+v, want other-app acting on socat: %s", f.Cause, h, f.Message)
	}

	text, _ := rpExplain(t, ns, charon.Log.String(), false)
	if strings.Contains(text, "End the old one") || !strings.HasPrefix(text, "This text names no port.\n") ||
		!strings.Contains(text, "The ports charon uses by default, in case it is one of them (if yours differ, run `traycheck check PORT`): udp/500, udp/4500") {
		t.Errorf("text output:\n%s", text)
	}
}

// A healthy charon alone, and its old text pasted: the VPN is working, so
// nothing needs attention.
func TestExplainNoPortTextHealthyVPN(t *testing.T) {
	ns := testenv.NewNetNS(t)
	rpCharon(t, ns, "spawning")
	rpWaitBound(t, ns, "udp", 4500)
	out, code := rpExplain(t, ns, "Nov 25 17:16:21 gw charon[2210]: 00[NET] unable to bind socket: Address already in use", true)
	e := rpFindings(t, out)
	for _, f := range e.Findings {
		if f.Cause != diagnose.VPNClient {
			t.Errorf("%s: %s (%s), want vpn-client", f.Resource, f.Cause, f.Message)
		}
	}
	if code != exitOK || len(e.Findings) != 2 {
		t.Errorf("exit %d with %d findings, want 0 with 2:\n%s", code, len(e.Findings), out)
	}
}

// Issue 10 item 4: OpenVPN's "TCP/UDP: Socket bind failed ... :1194" from a
// TCP server is checked as tcp and udp, and the TCP openvpn holding
// tcp/1194 is found (it used to say "free": only udp was checked).
func TestExplainOpenVPNUnsaidProtocolChecksBoth(t *testing.T) {
	ns := testenv.NewNetNS(t)
	first := testenv.Start(t, rpOpenVPN(t, ns, "--proto", "tcp-server", "--port", "1194"))
	rpWaitBound(t, ns, "tcp", 1194)
	second := testenv.Start(t, rpOpenVPN(t, ns, "--proto", "tcp-server", "--port", "1194"))
	second.Wait(t, 20*time.Second)
	var line string
	for _, l := range strings.Split(second.Log.String(), "\n") {
		if strings.Contains(l, "Socket bind failed") {
			line = l // the line a user pastes, with no "proto" near it
		}
	}
	if line == "" {
		t.Fatalf("second openvpn did not fail to bind:\n%s", second.Log.String())
	}

	out, code := rpExplain(t, ns, line, true)
	e := rpFindings(t, out)
	tcp := vpnport.Resource{Kind: vpnport.TCP, Port: 1194}
	udp := vpnport.Resource{Kind: vpnport.UDP, Port: 1194}
	var sawTCP, sawUDP bool
	for _, f := range e.Findings {
		switch f.Resource {
		case tcp:
			sawTCP = true
			// The text is the second openvpn's: the first one holds
			// the port, a second copy (issue 24), never to be ended.
			if len(f.Holders) != 1 || f.Holders[0].PID == 0 || f.Holders[0].Name != "openvpn" ||
				f.Cause != diagnose.SameAppInstance || f.Has(diagnose.EndProcess) {
				t.Errorf("tcp/1194: %s %+v %v, want same-app-instance held by the first openvpn, no end-process", f.Cause, f.Holders, f.Actions)
			}
		case udp:
			sawUDP = true
			if f.Cause != diagnose.Free {
				t.Errorf("udp/1194: %s, want free", f.Cause)
			}
		}
	}
	if !sawTCP || !sawUDP || code != exitAttention {
		t.Errorf("exit %d, tcp checked %v, udp checked %v:\n%s", code, sawTCP, sawUDP, out)
	}

	text, _ := rpExplain(t, ns, line, false)
	for _, want := range []string{"udp/1194 and tcp/1194 (the text does not say tcp or udp: both checked)",
		"already runs and holds it: this error came from starting another copy or a second tunnel on the same port",
		"udp/1194 is free"} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}
	if done, _ := first.Exited(); done {
		t.Errorf("the first openvpn ended: %s", first.Log.String())
	}

	// Now a UDP openvpn, someone's working VPN, holds udp/1194 as well: the
	// text may have been about either, so neither single client is called
	// another instance to end.
	testenv.Start(t, rpOpenVPN(t, ns, "--port", "1194"))
	rpWaitBound(t, ns, "udp", 1194)
	out, _ = rpExplain(t, ns, line, true)
	e = rpFindings(t, out)
	for _, f := range e.Findings {
		if f.Cause == diagnose.SameAppInstance || len(f.Holders) != 1 || f.Holders[0].Name != "openvpn" {
			t.Errorf("%s with both protocols held: %s %+v, want its one openvpn, not an instance to end", f.Resource, f.Cause, f.Holders)
		}
	}
	if text, _ = rpExplain(t, ns, line, false); !strings.Contains(text, "Both protocols are held") || strings.Contains(text, "End the old one") {
		t.Errorf("text output with both held:\n%s", text)
	}
}

// Issue 24: a second WireGuard tunnel on the port wireguard-go already
// holds for wg0. The user pastes the command and wg's answer; explain names
// the running tunnel as a second copy's holder, and never offers to end it.
func TestExplainSecondWireGuardTunnel(t *testing.T) {
	testenv.LookPath(t, "wireguard-go")
	testenv.LookPath(t, "wg")
	ns := testenv.NewNetNS(t)
	dir := t.TempDir()
	script := `umask 077; wg genkey > ` + dir + `/k0; wg genkey > ` + dir + `/k1
wireguard-go -f wg0 >/dev/null 2>&1 &
until wg show wg0 >/dev/null 2>&1; do sleep 0.1; done
wg set wg0 listen-port 51820 private-key ` + dir + `/k0
wireguard-go -f wg1 >/dev/null 2>&1 &
until wg show wg1 >/dev/null 2>&1; do sleep 0.1; done
echo '$ wg set wg1 listen-port 51820 private-key /etc/wireguard/wg1.key'
wg set wg1 listen-port 51820 private-key ` + dir + `/k1 2>&1
echo "wg-exit=$?"
wait`
	p := testenv.Start(t, ns.PrivateRun(context.Background(), script))
	testenv.WaitFor(t, 20*time.Second, "wg set wg1 to fail", func() bool { return strings.Contains(p.Log.String(), "wg-exit=") })
	text, _, _ := strings.Cut(p.Log.String(), "wg-exit=")
	if !strings.Contains(text, "Address already in use") {
		t.Fatalf("wg set wg1 did not fail on the port:\n%s", p.Log.String())
	}
	out, code := rpExplain(t, ns, text, true)
	e := rpFindings(t, out)
	udp := vpnport.Resource{Kind: vpnport.UDP, Port: 51820}
	if code != exitAttention || e.Program != diagnose.ProgWireGuard || len(e.Findings) != 1 || e.Findings[0].Resource != udp {
		t.Fatalf("exit %d program %q, want 1, wireguard and one finding on udp/51820:\n%s", code, e.Program, out)
	}
	f := e.Findings[0]
	if h, ok := f.ActHolder(); f.Cause != diagnose.SameAppInstance || !ok || h.Name != "wireguard-go" || f.Has(diagnose.EndProcess) {
		t.Errorf("udp/51820: %s %+v %v, want same-app-instance held by wireguard-go, no end-process", f.Cause, f.Holders, f.Actions)
	}
	txt, _ := rpExplain(t, ns, text, false)
	if !strings.Contains(txt, "already runs and holds it") || !strings.Contains(txt, "second tunnel") || strings.Contains(txt, "as expected") {
		t.Errorf("text output:\n%s", txt)
	}
	t.Logf("pasted:\n%s\nexplain:\n%s", text, txt)
}

// Issue 24: a second charon while one runs says "charon already running";
// the running charon holds the IKE ports, a first copy to use, not a VPN
// client "as expected" and not a process to end.
func TestExplainSecondCharon(t *testing.T) {
	ns := testenv.NewNetNS(t)
	cmd := ns.Charon(t, rpCharonConf)
	// ns.Charon's script is "exec charon": run it twice in one private
	// /run instead, the second once the first has bound its ports.
	script := cmd.Args[len(cmd.Args)-1]
	charon := strings.TrimPrefix(script[strings.LastIndex(script, "exec "):], "exec ")
	cmd.Args[len(cmd.Args)-1] = strings.Replace(script, "exec "+charon,
		charon+" & until ss -Huln 'sport = :4500' | grep -q .; do sleep 0.1; done; "+charon+"; echo second-exit=$?; wait", 1)
	p := testenv.Start(t, cmd)
	testenv.WaitFor(t, 30*time.Second, "the second charon to give up", func() bool { return strings.Contains(p.Log.String(), "second-exit=") })
	var text string
	for _, l := range strings.Split(p.Log.String(), "\n") {
		if strings.Contains(l, "already running") {
			text = l
		}
	}
	if text == "" {
		t.Fatalf("no \"already running\" from the second charon:\n%s", p.Log.String())
	}
	out, code := rpExplain(t, ns, text, true)
	e := rpFindings(t, out)
	if code != exitAttention || e.Program != diagnose.ProgCharon || len(e.Findings) != 2 {
		t.Fatalf("exit %d program %q findings %d, want 1, charon, 2:\n%s", code, e.Program, len(e.Findings), out)
	}
	for _, f := range e.Findings {
		if h, ok := f.ActHolder(); f.Cause != diagnose.SameAppInstance || !ok || h.Name != "charon" || f.Has(diagnose.EndProcess) {
			t.Errorf("%s: %s %+v %v, want same-app-instance held by charon, no end-process", f.Resource, f.Cause, f.Holders, f.Actions)
		}
	}
	txt, _ := rpExplain(t, ns, text, false)
	if !strings.Contains(txt, "already runs and holds it") || strings.Contains(txt, "as expected") {
		t.Errorf("text output:\n%s", txt)
	}
	t.Logf("pasted: %s\nexplain:\n%s", text, txt)
}
