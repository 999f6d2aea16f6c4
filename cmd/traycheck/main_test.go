package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/traycheck/traycheck/internal/discover"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"traycheck": func() {
			// The machine's own policy and VPN configuration stay out of
			// the tests: a script names its own (test binary only).
			testPolicy(os.Getenv("TRAYCHECK_TEST_POLICY"))
			discoverSources = func() discover.Sources { return testSources(os.Getenv("TRAYCHECK_TEST_DISCOVER_ROOT")) }
			os.Exit(run(os.Args[1:]))
		},
	})
}

// testSources are discovery's sources under root (nothing without one).
func testSources(root string) discover.Sources {
	if root == "" {
		return discover.Sources{}
	}
	return discover.Sources{
		OpenVPN:   []string{filepath.Join(root, "openvpn")},
		WireGuard: []string{filepath.Join(root, "wireguard")},
		SSHConfig: filepath.Join(root, "ssh_config"),
	}
}

// TestScripts runs the CLI scenarios in testdata/script/*.txtar against the
// real binary (no mocks): each script states its commands and expected output.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			// Keep the user's real config, cache, log and autostart entry
			// out of the tests.
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/.config")
			e.Setenv("XDG_CACHE_HOME", e.WorkDir+"/.cache")
			e.Setenv("HOME", e.WorkDir)
			// ... and a package's system-wide autostart entry.
			e.Setenv("XDG_CONFIG_DIRS", e.WorkDir+"/.xdg-system")
			e.Defer(windowsUserDirs(e.Setenv, e.WorkDir, filepath.Base(e.WorkDir)))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"freeport": cmdFreeport,
			"waitheld": cmdWaitheld,
		},
	})
}

// cmdExitcode runs `exitcode N PROG ARGS...`: PROG must exit with exactly N
// (the exit codes are public contract, `! exec` only says "not zero"), or
// with one of the codes of `N|M` where the machine decides (the default
// ports may be held). Its output is kept for the stdout/stderr commands
// that follow.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N[|M...] PROG [ARGS...]")
	}
	want := map[int]bool{}
	for _, f := range strings.Split(args[0], "|") {
		n, err := strconv.Atoi(f)
		if err != nil {
			ts.Fatalf("exitcode: %q is not a number", f)
		}
		want[n] = true
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if !want[got] {
		ts.Fatalf("%s exited %d, want %s", args[1], got, args[0])
	}
}

// cmdFreeport runs `freeport NAME`: sets $NAME to a port that is free for
// both TCP and UDP right now, so scripts never collide on fixed ports.
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	for range 50 {
		l, err := net.Listen("tcp", ":0")
		ts.Check(err)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		l.Close()
		if err == nil {
			u.Close()
			ts.Setenv(args[0], strconv.Itoa(port))
			return
		}
	}
	ts.Fatalf("freeport: no port free for both tcp and udp")
}

// cmdWaitheld runs `waitheld tcp|udp PORT`: waits until some process has
// bound the port, because a background holder needs a moment to start.
func cmdWaitheld(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitheld tcp|udp PORT")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var err error
		if args[0] == "udp" {
			var c net.PacketConn
			if c, err = net.ListenPacket("udp", ":"+args[1]); err == nil {
				c.Close()
			}
		} else {
			var l net.Listener
			if l, err = net.Listen("tcp", ":"+args[1]); err == nil {
				l.Close()
			}
		}
		if err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("waitheld: nothing bound %s/%s within 10s", args[0], args[1])
}
