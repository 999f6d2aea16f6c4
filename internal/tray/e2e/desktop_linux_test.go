//go:build linux

package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/traycheck/traycheck/internal/testenv"
)

// testTimeout bounds each e2e test as a whole; steps inside poll with ctx.
const testTimeout = 90 * time.Second

var bin string // the traycheck binary, built once by TestMain

func TestMain(m *testing.M) {
	code := func() int {
		if os.Getenv("TRAYCHECK_DESKTOP") != "1" {
			return m.Run() // each test reports the missing desktop itself
		}
		// Inside the session's directory, which with-desktop.sh removes even
		// when go test kills a hung run before this defer can.
		dir, err := os.MkdirTemp(os.Getenv("TRAYCHECK_DESKTOP_DIR"), "traycheck-e2e-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "traycheck")
		out, err := exec.Command("go", "build", "-o", bin, "github.com/traycheck/traycheck/cmd/traycheck").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "building traycheck: %v\n%s", err, out)
			return 1
		}
		notifydPatience()
		return m.Run()
	}()
	os.Exit(code)
}

// requireDesktop fails in CI (skips locally) outside scripts/with-desktop.sh.
func requireDesktop(t *testing.T) context.Context {
	t.Helper()
	testenv.Env(t, "TRAYCHECK_DESKTOP")
	for _, p := range []string{"xdotool", "import", "socat"} {
		testenv.LookPath(t, p)
	}
	if bin == "" {
		t.Fatal("TRAYCHECK_DESKTOP set but no binary was built")
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// poll calls f until it returns true or ctx ends; the deadline only bounds a
// hung test, it is not the assertion.
func poll(ctx context.Context, t *testing.T, what string, f func() bool) {
	t.Helper()
	for !f() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// freeUDPPort returns a UDP port nobody holds right now.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// trayProc is a running `traycheck tray`.
type trayProc struct {
	cmd *exec.Cmd
	log *testenv.SyncBuffer
}

// startTray runs the real binary watching udp/port, checking every second,
// with a private config directory.
func startTray(ctx context.Context, t *testing.T, port int) *trayProc {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	err := os.WriteFile(cfg, []byte(fmt.Sprintf(`[vpn]
name = "e2e VPN"
ports = ["udp/%d"]
devices = []
clients = ["openvpn"]
[check]
interval = "1s"
`, port)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return runTray(t, []string{"XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg")}, "tray", "--config", cfg)
}

// runTray starts the binary with args and extra environment, and stops it
// (SIGTERM, bounded) when the test ends.
func runTray(t *testing.T, env []string, args ...string) *trayProc {
	t.Helper()
	p := &trayProc{log: &testenv.SyncBuffer{}}
	p.cmd = exec.Command(bin, args...)
	// The test build stands for an installed binary: give the tray a temp
	// directory of its own, so the build's location is not mistaken for a
	// `go run` build (Start at login refuses to record those).
	p.cmd.Env = append(append(os.Environ(), "TRAYCHECK_DEBUG=1", "TMPDIR="+t.TempDir()), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
			t.Error("traycheck ignored SIGTERM for 10s")
		}
		if t.Failed() {
			t.Logf("traycheck log:\n%s", p.log.String())
		}
	})
	return p
}

// holder is a helper process (socat) that binds udp/port, the way a stray
// program would hold a VPN's port. exited is closed when it ends.
type holder struct {
	pid    int
	exited chan struct{}
}

func startHolder(ctx context.Context, t *testing.T, port int) *holder {
	t.Helper()
	cmd := exec.Command(testenv.LookPath(t, "socat"), "-u", fmt.Sprintf("UDP4-RECV:%d", port), "/dev/null")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{pid: cmd.Process.Pid, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(h.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-h.exited
	})
	// Bound once the port refuses a second bind.
	poll(ctx, t, "socat to bind the port", func() bool {
		c, err := net.ListenPacket("udp4", fmt.Sprintf("0.0.0.0:%d", port))
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	return h
}

// sessionConn is a private connection to the session bus of the test.
func sessionConn(t *testing.T) *dbus.Conn {
	t.Helper()
	c, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	if err := c.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Hello(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// findItem waits until the watcher lists an item owned by pid and returns
// its bus name.
func findItem(ctx context.Context, t *testing.T, c *dbus.Conn, pid int) string {
	t.Helper()
	var name string
	poll(ctx, t, "the item to register with org.kde.StatusNotifierWatcher", func() bool {
		v, err := c.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher").
			GetProperty("org.kde.StatusNotifierWatcher.RegisteredStatusNotifierItems")
		if err != nil {
			return false
		}
		items, _ := v.Value().([]string)
		for _, it := range items {
			bus, _, _ := strings.Cut(it, "/")
			var got uint32
			if c.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, bus).Store(&got) == nil && int(got) == pid {
				name = bus
				return true
			}
		}
		return false
	})
	return name
}
