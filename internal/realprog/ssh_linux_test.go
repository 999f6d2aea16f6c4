package realprog

import (
	"context"
	"errors"
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

// sshEnv is a real sshd on 127.0.0.1:22 in a namespace and the ssh client
// options that log in to it as root with a key made for the test. Nothing
// touches the real ~/.ssh: -F /dev/null, no known_hosts.
type sshEnv struct {
	ns   *testenv.NetNS
	dir  string
	ssh  string
	opts []string
}

func startSSHD(t *testing.T) *sshEnv {
	t.Helper()
	ns := testenv.NewNetNS(t)
	sshd := testenv.LookPath(t, "sshd")
	keygen := testenv.LookPath(t, "ssh-keygen")
	e := &sshEnv{ns: ns, dir: t.TempDir(), ssh: testenv.LookPath(t, "ssh")}
	for _, k := range []string{"host", "user"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(e.dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, _ := os.ReadFile(filepath.Join(e.dir, "user.pub"))
	os.WriteFile(filepath.Join(e.dir, "authorized_keys"), pub, 0o600)
	cfg := filepath.Join(e.dir, "sshd_config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`ListenAddress 127.0.0.1
Port 22
HostKey %[1]s/host
PidFile none
UsePAM no
StrictModes no
AuthorizedKeysFile %[1]s/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
`, e.dir)), 0o600)
	// sshd wants its privilege separation directory /run/sshd: a tmpfs
	// over /run, private to this command's mount namespace, gives it one
	// without touching the machine's /run.
	p := testenv.Start(t, ns.Command(context.Background(), "sh", "-c",
		"mount -t tmpfs none /run && mkdir -m 755 /run/sshd && exec "+sshd+" -D -e -f "+cfg))
	waitHeld(t, ns, p, "tcp", 22)
	e.opts = []string{"-F", "/dev/null", "-i", filepath.Join(e.dir, "user"), "-o", "IdentitiesOnly=yes",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"}
	return e
}

// run runs ssh to its end. ssh -f leaves a child holding the output pipe,
// so the wait for output is bounded (WaitDelay) instead of lasting as long
// as that child.
func (e *sshEnv) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := e.ns.Command(ctx, e.ssh, append(slices.Clone(e.opts), args...)...)
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil
	}
	if err != nil {
		t.Fatalf("ssh %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func forwardConfig(port int) string {
	return fmt.Sprintf("[vpn]\nports = []\n[ssh]\nforward_ports = [%d]\n", port)
}

// ssh's ControlMaster holding a forward, in both shapes it runs in: named,
// with the commands that free only the port or end the master, and those
// commands, run as printed, really free it.
func TestSSHControlMasterRecognised(t *testing.T) {
	e := startSSHD(t)

	// ssh -M -S PATH -fN -L ...: the master keeps its command line.
	ctl := filepath.Join(e.dir, "ctl")
	spec := "127.0.0.1:18080:127.0.0.1:22"
	e.run(t, "-M", "-S", ctl, "-fN", "-L", spec, "root@127.0.0.1")
	waitHeld(t, e.ns, nil, "tcp", 18080)
	code, fs := check(t, e.ns, nil, writeConfig(t, forwardConfig(18080)))
	f := only(t, fs)
	t.Log(f.Message)
	want := []string{"ssh -S " + ctl + " -O cancel -L " + spec + " x", "ssh -S " + ctl + " -O exit x"}
	if code != 0 || f.Cause != "vpn-client" || f.role() != "ssh-mux-master" || !slices.Equal(f.Commands, want) {
		t.Fatalf("exit %d, %s role %q commands %q", code, f.Cause, f.role(), f.Commands)
	}
	if !strings.Contains(f.Message, "Ending it ends every ssh session over it") {
		t.Errorf("message %q", f.Message)
	}
	// The cancel command as printed frees the port and leaves the master.
	e.run(t, strings.Fields(f.Commands[0])[1:]...)
	testenv.WaitFor(t, 5*time.Second, "forward cancelled", func() bool {
		_, fs := check(t, e.ns, nil, writeConfig(t, forwardConfig(18080)))
		return fs[0].Cause == "free"
	})
	e.run(t, "-S", ctl, "-O", "check", "x")

	// ControlPersist: the master backgrounds itself as "ssh: PATH [mux]".
	ctl2 := filepath.Join(e.dir, "ctl2")
	e.run(t, "-o", "ControlMaster=auto", "-o", "ControlPersist=yes", "-S", ctl2, "-L", "127.0.0.1:18081:127.0.0.1:22", "root@127.0.0.1", "true")
	waitHeld(t, e.ns, nil, "tcp", 18081)
	// As in explain: an ssh -L just failed on the port.
	code, fs = check(t, e.ns, nil, writeConfig(t, "[vpn]\nports = [\"tcp/18081\"]\nclients = []\n"))
	f = only(t, fs)
	t.Log(f.Message)
	if code != 1 || f.Cause != "other-app" || f.role() != "ssh-mux-master" || len(f.Commands) != 2 ||
		f.Commands[1] != "ssh -S "+ctl2+" -O exit x" || !strings.Contains(f.Commands[0], "-O cancel -L 18081:HOST:HOSTPORT") {
		t.Fatalf("exit %d, %s role %q commands %q", code, f.Cause, f.role(), f.Commands)
	}
	if len(f.Holders) != 1 || f.Holders[0].Cmdline[0] != "ssh: "+ctl2+" [mux]" {
		t.Errorf("holder %+v", f.Holders)
	}
	e.run(t, strings.Fields(f.Commands[1])[1:]...)
	testenv.WaitFor(t, 5*time.Second, "master exited", func() bool {
		_, fs := check(t, e.ns, nil, writeConfig(t, forwardConfig(18081)))
		return fs[0].Cause == "free"
	})
}

// makeTimeWait leaves a TIME_WAIT socket on 127.0.0.1:port in ns: the
// accepting side closes first, so its end (local port port) waits. reuse
// says whether the listener set SO_REUSEADDR (its accepted socket, the one
// left waiting, inherits it).
func makeTimeWait(t *testing.T, ns *testenv.NetNS, port int, reuse bool) {
	t.Helper()
	py := testenv.LookPath(t, "python3")
	script := fmt.Sprintf(`import socket
l = socket.socket()
if %t: l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", %d)); l.listen()
c = socket.create_connection(("127.0.0.1", %d)); s, _ = l.accept()
s.close(); c.close(); l.close()`, reuse, port, port)
	script = strings.Replace(script, "if true:", "if True:", 1)
	script = strings.Replace(script, "if false:", "if False:", 1)
	if out, err := ns.Command(context.Background(), py, "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("making TIME_WAIT: %v\n%s", err, out)
	}
	waitTimeWait(t, ns, port)
}

func waitTimeWait(t *testing.T, ns *testenv.NetNS, port int) {
	t.Helper()
	testenv.WaitFor(t, 5*time.Second, fmt.Sprintf("TIME_WAIT on %d", port), func() bool {
		out, _ := ns.Command(context.Background(), "ss", "-Htan", "state", "time-wait", fmt.Sprintf("sport = :%d", port)).Output()
		return strings.Contains(string(out), fmt.Sprintf(":%d", port))
	})
}

// binds reports whether argv, run in ns, gets to listen on port (it is
// then stopped), and its output when it does not.
func binds(t *testing.T, ns *testenv.NetNS, port int, argv ...string) (bool, string) {
	t.Helper()
	p := testenv.Start(t, ns.Command(context.Background(), argv[0], argv[1:]...))
	ok := false
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := ns.Command(context.Background(), "ss", "-Htln", fmt.Sprintf("sport = :%d", port)).Output()
		if strings.Contains(string(out), fmt.Sprintf(":%d", port)) {
			ok = true
			break
		}
		if done, _ := p.Exited(); done {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.Stop()
	return ok, p.Log.String()
}

// The TIME_WAIT rule on Linux, with real binds: a bind over TIME_WAIT
// succeeds only when the new socket and the listener that accepted the
// waiting connection both set SO_REUSEADDR. So after a listener with it,
// socat reuseaddr, python's http.server and ssh -L bind at once and a bare
// bind or plain socat fail; after a listener without it, all of them fail.
func TestTimeWaitBindsBothWays(t *testing.T) {
	e := startSSHD(t)
	py := testenv.LookPath(t, "python3")
	socat := testenv.LookPath(t, "socat")
	programs := []struct {
		name  string
		reuse bool // sets SO_REUSEADDR
		argv  func(port int) []string
	}{
		{"bare bind", false, func(p int) []string {
			return []string{py, "-c", fmt.Sprintf("import socket, time\ns = socket.socket(); s.bind(('127.0.0.1', %d)); s.listen(); time.sleep(60)", p)}
		}},
		{"socat", false, func(p int) []string { return []string{socat, fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1", p), "STDOUT"} }},
		{"socat reuseaddr", true, func(p int) []string {
			return []string{socat, fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr", p), "STDOUT"}
		}},
		{"python http.server", true, func(p int) []string { return []string{py, "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(p)} }},
		{"ssh -L", true, func(p int) []string {
			return append(append([]string{e.ssh}, e.opts...), "-o", "ExitOnForwardFailure=yes", "-N", "-L", fmt.Sprintf("127.0.0.1:%d:127.0.0.1:22", p), "root@127.0.0.1")
		}},
	}
	port := 18100
	for _, listenerReuse := range []bool{true, false} {
		for _, prog := range programs {
			port++ // a fresh TIME_WAIT for each: a bind that succeeds ends it
			makeTimeWait(t, e.ns, port, listenerReuse)
			got, out := binds(t, e.ns, port, prog.argv(port)...)
			if want := listenerReuse && prog.reuse; got != want {
				t.Errorf("%s over TIME_WAIT from a listener with SO_REUSEADDR=%v: bound %v, want %v\n%s", prog.name, listenerReuse, got, want, out)
			}
		}
	}

	// traycheck: only TIME_WAIT on an ssh forward port is free for ssh
	// (exit 0); on another port it is time-wait with the Linux rule.
	port++
	makeTimeWait(t, e.ns, port, true)
	code, fs := check(t, e.ns, nil, writeConfig(t, forwardConfig(port)))
	f := only(t, fs)
	t.Log(f.Message)
	if code != 0 || f.Cause != "free" || f.TimeWaitLeftS <= 0 || !strings.Contains(f.Message, "free for ssh") {
		t.Errorf("forward port: exit %d, %s (%ds): %s", code, f.Cause, f.TimeWaitLeftS, f.Message)
	}
	code, fs = check(t, e.ns, nil, writeConfig(t, fmt.Sprintf("[vpn]\nports = [\"tcp/%d\"]\n", port)))
	f = only(t, fs)
	t.Log(f.Message)
	if code != 1 || f.Cause != "time-wait" || !strings.Contains(f.Message, "when the listener that accepted those connections set it too") {
		t.Errorf("plain port: exit %d, %s: %s", code, f.Cause, f.Message)
	}
}

// The real case: an ssh -L forward carried a connection and died; its own
// accepted socket waits in TIME_WAIT. traycheck calls the forward port free
// (exit 0), and a new ssh -L really binds it at once.
func TestSSHForwardRebindsOverItsTimeWait(t *testing.T) {
	e := startSSHD(t)
	const port = 18200
	fwd := append(append([]string{e.ssh}, e.opts...), "-N", "-L", fmt.Sprintf("127.0.0.1:%d:127.0.0.1:22", port), "root@127.0.0.1")
	old := testenv.Start(t, e.ns.Command(context.Background(), fwd[0], fwd[1:]...))
	waitHeld(t, e.ns, old, "tcp", port)
	// A client reads sshd's banner through the forward, then waits for the
	// forward to close first, and closes after it.
	py := testenv.LookPath(t, "python3")
	client := testenv.Start(t, e.ns.Command(context.Background(), py, "-c", fmt.Sprintf(`import socket, sys
c = socket.create_connection(("127.0.0.1", %d))
print(c.recv(64).decode().strip(), flush=True)
while c.recv(64): pass
c.close()`, port)))
	testenv.WaitFor(t, 10*time.Second, "banner through the forward", func() bool { return strings.Contains(client.Log.String(), "SSH-2.0") })
	old.Stop()
	client.Wait(t, 10*time.Second)
	waitTimeWait(t, e.ns, port)

	code, fs := check(t, e.ns, nil, writeConfig(t, forwardConfig(port)))
	if f := only(t, fs); code != 0 || f.Cause != "free" || f.TimeWaitLeftS <= 0 {
		t.Errorf("exit %d, %s: %s", code, f.Cause, f.Message)
	}
	if ok, out := binds(t, e.ns, port, fwd...); !ok {
		t.Errorf("a new ssh -L did not bind over its TIME_WAIT:\n%s", out)
	}
}

// Two ssh -L forwards on one port, the old one on 127.0.0.1 and the new one
// on [::1] (what a user gets when the old forward still holds IPv4): the
// message says which holds which address and which is older, and
// end-process would act on the old one.
func TestTwoSSHForwardsSayWhichAddress(t *testing.T) {
	e := startSSHD(t)
	const port = 18300
	fwd := func(bind string) *testenv.Proc {
		argv := append(append([]string{e.ssh}, e.opts...), "-N", "-L", fmt.Sprintf("%s:%d:127.0.0.1:22", bind, port), "root@127.0.0.1")
		return testenv.Start(t, e.ns.Command(context.Background(), argv[0], argv[1:]...))
	}
	old := fwd("127.0.0.1")
	waitHeld(t, e.ns, old, "tcp", port)
	time.Sleep(1100 * time.Millisecond) // start times are shown to the second
	young := fwd("[::1]")
	testenv.WaitFor(t, 10*time.Second, "the new forward on [::1]", func() bool {
		out, _ := e.ns.Command(context.Background(), "ss", "-Htln", "src [::1]").Output()
		return strings.Contains(string(out), fmt.Sprintf(":%d", port))
	})
	code, fs := check(t, e.ns, nil, writeConfig(t, forwardConfig(port)))
	f := only(t, fs)
	t.Log(f.Message)
	if code != 1 || f.Cause != "same-app-instance" {
		t.Fatalf("exit %d, %s: %s", code, f.Cause, f.Message)
	}
	want := fmt.Sprintf("ssh (PID %d, %s, user root) on 127.0.0.1, the older", old.Cmd.Process.Pid, e.ssh)
	want2 := fmt.Sprintf("ssh (PID %d, %s, user root) on [::1], the newer", young.Cmd.Process.Pid, e.ssh)
	if !strings.Contains(f.Message, want) || !strings.Contains(f.Message, want2) {
		t.Errorf("message %q\nlacks %q or %q", f.Message, want, want2)
	}
	if pids := f.holderPIDs(false); len(pids) != 2 || pids[0] != old.Cmd.Process.Pid {
		t.Errorf("holders %v: the old forward must come first", pids)
	}
}
