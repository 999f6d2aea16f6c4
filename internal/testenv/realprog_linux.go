//go:build linux

package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The real-program lane: tests that stage a conflict with the program a user
// really runs (openvpn, sshd, charon, picocom, ...) run each daemon in a private
// network namespace with only loopback up, so no test ever listens on the
// machine's real interfaces or collides with another test's port.

// NetNS is a private network namespace made for one test.
type NetNS struct {
	Name string
}

var netnsSeq atomic.Int64

// NewNetNS creates a network namespace with loopback up and removes it (and
// ends every process left in it) when the test ends. It needs root and `ip`.
func NewNetNS(t testing.TB) *NetNS {
	t.Helper()
	Root(t)
	ip := LookPath(t, "ip")
	name := fmt.Sprintf("tc%d-%d", os.Getpid(), netnsSeq.Add(1))
	if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", name, err, out)
	}
	n := &NetNS{Name: name}
	t.Cleanup(func() {
		// A daemon that forked away from the process we started (openvpn
		// --daemon, charon's starter) is still found by its namespace.
		if out, err := exec.Command(ip, "netns", "pids", name).Output(); err == nil {
			for _, f := range strings.Fields(string(out)) {
				if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		exec.Command(ip, "netns", "del", name).Run()
	})
	if out, err := exec.Command(ip, "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip -n %s link set lo up: %v\n%s", name, err, out)
	}
	return n
}

// Command returns a command that runs name inside the namespace.
func (n *NetNS) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// Proc is a program started for a test; it is ended when the test ends.
type Proc struct {
	Cmd  *exec.Cmd
	Log  *SyncBuffer // its stdout and stderr, interleaved
	done chan struct{}
	err  error
}

// Start runs cmd in its own process group, capturing its output, and ends the
// whole group (SIGTERM, then SIGKILL after 3 s) when the test ends.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	p := &Proc{Cmd: cmd, Log: &SyncBuffer{}, done: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout = p.Log
	}
	if cmd.Stderr == nil {
		cmd.Stderr = p.Log
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if cmd.WaitDelay == 0 {
		// A daemon's detached child (sshd's session process, ssh -f)
		// keeps the output pipe open after the group is killed: waiting
		// for its EOF would hang the test's cleanup forever.
		cmd.WaitDelay = 2 * time.Second
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %v: %v", cmd.Args, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.Stop() })
	return p
}

// Stop ends the process group and waits for the started process.
func (p *Proc) Stop() {
	pgid := p.Cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// Whatever the leader left behind in its group goes too.
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// Exited reports whether the started process has ended, and its error.
func (p *Proc) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Wait waits for the process to end by itself, failing the test after timeout.
func (p *Proc) Wait(t testing.TB, timeout time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		t.Fatalf("%v still running after %v; output:\n%s", p.Cmd.Args, timeout, p.Log.String())
		return nil
	}
}

// WaitFor polls cond every 20 ms until it holds, failing the test after
// timeout with what it was waiting for.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// Traycheck builds cmd/traycheck once per test binary and returns its path.
// A package that uses it calls RemoveBuilt from its TestMain after m.Run.
func Traycheck(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "traycheck-realprog-bin")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "traycheck")
		out, err := exec.Command("go", "build", "-o", buildBin, "github.com/traycheck/traycheck/cmd/traycheck").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building traycheck: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// RemoveBuilt removes the binary Traycheck built, if any.
func RemoveBuilt() {
	if buildBin != "" {
		os.RemoveAll(filepath.Dir(buildBin))
	}
}

// PrivateRun runs a shell script in the namespace with a private, empty /run
// (its own mount namespace): the pid files, control sockets and privilege
// separation directories of the daemons go there, never into the machine's.
func (n *NetNS) PrivateRun(ctx context.Context, script string) *exec.Cmd {
	return n.Command(ctx, "unshare", "--mount", "sh", "-c", "mount -t tmpfs tmpfs /run && mkdir -p /run/sshd && "+script)
}

// Charon returns strongSwan's charon set up to run in the namespace with a
// private /run and conf (strongswan.conf text) as its only configuration.
func (n *NetNS) Charon(t testing.TB, conf string) *exec.Cmd {
	t.Helper()
	const charon = "/usr/lib/ipsec/charon"
	if _, err := os.Stat(charon); err != nil {
		Missing(t, "strongSwan's charon at %s (package strongswan-charon)", charon)
	}
	path := filepath.Join(t.TempDir(), "strongswan.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := n.PrivateRun(context.Background(), "exec "+charon)
	cmd.Env = append(os.Environ(), "STRONGSWAN_CONF="+path)
	return cmd
}
