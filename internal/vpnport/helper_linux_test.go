package vpnport

// Child processes for the Linux tests: the test binary re-executes itself with
// TRAYCHECK_VPNPORT_HELPER set and becomes a process that really holds a
// port or a pseudo-terminal until its stdin closes.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/traycheck/traycheck/internal/testenv"
)

const helperEnv = "TRAYCHECK_VPNPORT_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if err := runHelper(mode, os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	testenv.RemoveBuilt()
	os.Exit(code)
}

// runHelper prints one line ("ready ...") once it holds its resource, then
// waits for stdin to close.
func runHelper(mode string, args []string) error {
	hold := func(format string, a ...any) error {
		fmt.Printf("ready "+format+"\n", a...)
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		return nil
	}
	switch mode {
	case "listen", "reuseport", "fork":
		network, addr := args[0], args[1]
		lc := net.ListenConfig{}
		if mode == "reuseport" {
			lc.Control = func(_, _ string, c syscall.RawConn) error {
				var serr error
				err := c.Control(func(fd uintptr) {
					serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
				})
				if err != nil {
					return err
				}
				return serr
			}
		}
		var port int
		var f *os.File
		if strings.HasPrefix(network, "udp") {
			pc, err := lc.ListenPacket(context.Background(), network, addr)
			if err != nil {
				return err
			}
			port = pc.LocalAddr().(*net.UDPAddr).Port
			f, _ = pc.(*net.UDPConn).File()
		} else {
			ln, err := lc.Listen(context.Background(), network, addr)
			if err != nil {
				return err
			}
			port = ln.Addr().(*net.TCPAddr).Port
			f, _ = ln.(*net.TCPListener).File()
		}
		if mode != "fork" {
			return hold("%d", port)
		}
		// Two children inherit the very socket (same inode) as their fd 3:
		// the walk meets the newer one first and must find its parent and
		// its older sibling too.
		var kids []*exec.Cmd
		for range 2 {
			child := exec.Command(os.Args[0], "inherit")
			child.Env = append(os.Environ(), helperEnv+"=inherit")
			child.Stdin = os.Stdin
			child.ExtraFiles = []*os.File{f}
			out, err := child.StdoutPipe()
			if err != nil {
				return err
			}
			if err := child.Start(); err != nil {
				return err
			}
			if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
				return fmt.Errorf("child: %w", err)
			}
			kids = append(kids, child)
		}
		err := hold("%d %d %d", port, kids[0].Process.Pid, kids[1].Process.Pid)
		for _, k := range kids {
			k.Wait()
		}
		return err
	case "inherit":
		return hold("%d", os.Getpid())
	case "pty":
		path, err := helperPTY(len(args) > 0 && args[0] == "excl")
		if err != nil {
			return err
		}
		return hold("%s", path)
	case "probe":
		// A check a person asked for may open a device; "--passive" probes
		// the way the background interval check does.
		opts := ProbeOptions{Person: true}
		if len(args) > 0 && args[0] == "--passive" {
			opts, args = ProbeOptions{}, args[1:]
		}
		var rs []Resource
		for _, a := range args {
			r, err := ParseTarget(a)
			if err != nil {
				return err
			}
			rs = append(rs, r...)
		}
		p := New()
		defer p.Close()
		obs, err := p.Probe(context.Background(), rs, opts)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(obs)
	}
	return fmt.Errorf("unknown helper mode %q", mode)
}

// helperPTY opens a pseudo-terminal pair, keeps both ends open (the slave is
// the "modem") and returns the slave's path. With excl the slave gets
// TIOCEXCL, so further opens by non-root fail with EBUSY; it is made
// world-writable so an unprivileged probe reaches that check instead of
// failing with EACCES first.
func helperPTY(excl bool) (string, error) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", err
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		return "", fmt.Errorf("unlockpt: %w", err)
	}
	n, err := unix.IoctlGetInt(m, unix.TIOCGPTN)
	if err != nil {
		return "", fmt.Errorf("ptsname: %w", err)
	}
	path := "/dev/pts/" + strconv.Itoa(n)
	s, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", err
	}
	if excl {
		if err := unix.IoctlSetInt(s, unix.TIOCEXCL, 0); err != nil {
			return "", fmt.Errorf("TIOCEXCL: %w", err)
		}
		if err := unix.Fchmod(s, 0o666); err != nil {
			return "", err
		}
	}
	return path, nil
}

// helper is a running child process holding something.
type helper struct {
	pid   int
	ready []string // the fields after "ready"
}

// startHelper runs the test binary as a helper (under setpriv-like prefix
// argv when given) and waits for its ready line. The child ends when the test
// does.
func startHelper(t testing.TB, mode string, args ...string) helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper %s %v: no ready line: %v", mode, args, err)
	}
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "ready" {
		t.Fatalf("helper %s: got %q", mode, line)
	}
	return helper{pid: cmd.Process.Pid, ready: f[1:]}
}

func (h helper) port(t testing.TB) uint16 {
	t.Helper()
	n, err := strconv.Atoi(h.ready[0])
	if err != nil {
		t.Fatalf("helper port %q: %v", h.ready, err)
	}
	return uint16(n)
}

// probeOne probes one resource with a fresh prober.
func probeOne(t testing.TB, r Resource) Observation {
	t.Helper()
	p := New()
	defer p.Close()
	obs, err := p.Probe(context.Background(), []Resource{r}, ProbeOptions{})
	if err != nil {
		t.Fatalf("probe %s: %v", r, err)
	}
	if len(obs) != 1 || obs[0].Resource != r {
		t.Fatalf("probe %s: got %+v", r, obs)
	}
	return obs[0]
}
