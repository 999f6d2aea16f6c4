//go:build !windows

package remedy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
)

// pidFileEnv names the file a daemonising helper writes its daemon's PID to.
const pidFileEnv = "TRAYCHECK_REMEDY_PIDFILE"

// helperCommand is the test binary acting as a command a remedy runs:
//   - daemonise: starts a daemon that inherits stdout and stderr, then exits 0
//     (openvpn --daemon, sudo leaving a child);
//   - daemonise-block: the same, then never exits (an ignored prompt);
//   - flood: writes 200 KiB of output, then "the end".
func helperCommand(mode string) {
	if mode == "flood" {
		os.Stdout.Write(bytes.Repeat([]byte("x"), 200<<10))
		os.Stdout.WriteString("\nthe end\n")
		os.Exit(0)
	}
	daemon := exec.Command(os.Args[0], "-test.run=^$")
	daemon.Env = append(os.Environ(), helperEnv+"=hold")
	daemon.Stdout = os.Stdout
	daemon.Stderr = os.Stderr
	if err := daemon.Start(); err != nil {
		os.Stderr.WriteString(err.Error())
		os.Exit(3)
	}
	if err := os.WriteFile(os.Getenv(pidFileEnv), []byte(strconv.Itoa(daemon.Process.Pid)), 0o600); err != nil {
		os.Exit(4)
	}
	if mode == "daemonise" {
		os.Exit(0)
	}
	time.Sleep(10 * time.Minute)
	os.Exit(0)
}

// daemonCommand returns a reconnect argv that runs the helper in mode, and
// the file its daemon's PID appears in. The daemon is killed at cleanup.
func daemonCommand(t *testing.T, mode string) ([]string, string) {
	t.Helper()
	pidFile := filepath.Join(t.TempDir(), "daemon.pid")
	t.Setenv(helperEnv, mode)
	t.Setenv(pidFileEnv, pidFile)
	t.Cleanup(func() {
		if pid := readPID(pidFile); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return []string{os.Args[0], "-test.run=^$"}, pidFile
}

func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// doAsync runs Do on its own goroutine: a Do that never returns must fail
// the test, not hang it.
func doAsync(ctx context.Context, r *Runner, req Request) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := r.Do(ctx, req)
		done <- err
	}()
	return done
}

// returnsAtAll is a bound on "Do returned", far above what it takes (well
// under a second) and below the helper's 10 minutes and the timeouts the
// tests leave at their defaults.
const returnsAtAll = time.Minute

func awaitDo(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(returnsAtAll):
		t.Fatalf("Do has not returned after %s: a child holding the output pipe blocks it", returnsAtAll)
	}
	return nil
}

// TestRetryWithDaemonisingReconnect: the reconnect command exits 0 but its
// daemon keeps stdout open for as long as it runs. Do must return, count it
// as success, and leave the daemon (the VPN) running.
func TestRetryWithDaemonisingReconnect(t *testing.T) {
	argv, pidFile := daemonCommand(t, "daemonise")
	r := New(Options{Reconnect: argv, WaitDelay: 200 * time.Millisecond})
	err := awaitDo(t, doAsync(context.Background(), r, Request{Action: diagnose.Retry, Finding: finding()}))
	if err != nil {
		t.Fatalf("Do = %v, want success: the command exited 0", err)
	}
	pid := readPID(pidFile)
	if pid <= 0 || !pidAlive(pid) {
		t.Fatalf("daemon %d is not running: the remedy must not end what the reconnect command started", pid)
	}
}

// TestRetryTimeoutStopsCommand: a reconnect command that never finishes (and
// whose daemon holds its output) is stopped at ReconnectTimeout.
func TestRetryTimeoutStopsCommand(t *testing.T) {
	argv, _ := daemonCommand(t, "daemonise-block")
	r := New(Options{Reconnect: argv, ReconnectTimeout: 300 * time.Millisecond, WaitDelay: 200 * time.Millisecond})
	err := awaitDo(t, doAsync(context.Background(), r, Request{Action: diagnose.Retry, Finding: finding()}))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("Do = %v, want a timeout", err)
	}
}

// TestRetryCancelStopsCommand: ending ctx (the watch loop quitting) stops a
// running command well before its timeout.
func TestRetryCancelStopsCommand(t *testing.T) {
	argv, pidFile := daemonCommand(t, "daemonise-block")
	r := New(Options{Reconnect: argv}) // default timeouts: far beyond returnsAtAll
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := doAsync(ctx, r, Request{Action: diagnose.Retry, Finding: finding()})
	// Cancel once the command is surely running: its daemon has started.
	for readPID(pidFile) == 0 {
		select {
		case err := <-done:
			t.Fatalf("Do returned before it was cancelled: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := awaitDo(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want it stopped by the cancel", err)
	}
}

// TestRunKeepsOutputTail runs a real program that writes more than MaxOutput:
// the tail, where the reason for a failure usually is, is kept.
func TestRunKeepsOutputTail(t *testing.T) {
	t.Setenv(helperEnv, "flood")
	out, err := runArgv(context.Background(), []string{os.Args[0], "-test.run=^$"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != MaxOutput || !bytes.HasSuffix(out, []byte("x\nthe end\n")) {
		t.Fatalf("kept %d bytes ending %q, want %d ending with the last line", len(out), out[max(0, len(out)-20):], MaxOutput)
	}
}
