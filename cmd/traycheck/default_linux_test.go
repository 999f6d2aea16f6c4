package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// child is a long-running traycheck started by the test.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr *testenv.SyncBuffer
	done           chan struct{}
	err            error // set when done is closed
}

func startChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	bin, err := exec.LookPath("traycheck")
	if err != nil {
		t.Fatalf("testscript should have put traycheck on PATH: %v", err)
	}
	c := &child{cmd: exec.Command(bin, args...), stdout: &testenv.SyncBuffer{}, stderr: &testenv.SyncBuffer{}, done: make(chan struct{})}
	c.cmd.Env, c.cmd.Stdout, c.cmd.Stderr = env, c.stdout, c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		if c.stop() != nil {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", args, c.stdout, c.stderr)
		}
	})
	return c
}

// stop interrupts the child as Ctrl-C does and returns how it ended; it
// kills a child that ignores the signal for 10 s.
func (c *child) stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
		return c.err
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return errors.New("ignored SIGINT for 10s")
	}
}

// waitOutput waits until the child's stdout contains s, or it exits; the
// deadline only bounds a hung test.
func (c *child) waitOutput(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(c.stdout.String(), s) {
		select {
		case <-c.done:
			t.Fatalf("exited (%v) before printing %q:\n%s\n%s", c.err, s, c.stdout, c.stderr)
		case <-deadline:
			t.Fatalf("no %q within 30s:\n%s\n%s", s, c.stdout, c.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestConsoleModeIsTheSessionsInstance: without a desktop the bare
// traycheck runs the console loop and is this session's one traycheck: a
// second bare launch hands over (exit 0, the running one's check printed),
// check-now reaches it, a forwarded action with a forged token is refused,
// and an explicit `traycheck watch`
// still runs beside it.
func TestConsoleModeIsTheSessionsInstance(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	port := freeUDPPort(t)
	cfg := filepath.Join(dir, "config.toml")
	err := os.WriteFile(cfg, []byte(fmt.Sprintf("[vpn]\nports = [\"udp/%d\"]\ndevices = []\n[check]\ninterval = \"1h\"\n", port)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "XDG_RUNTIME_DIR="+run, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus")) // no desktop
	free := fmt.Sprintf("udp/%d is free.", port)

	first := startChild(t, env, "--config", cfg)
	first.waitOutput(t, "first check:")
	if !strings.Contains(first.stderr.String(), "running in console mode") {
		t.Errorf("the first launch did not say it runs the console:\n%s", first.stderr)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	second := exec.CommandContext(ctx, first.cmd.Path, "--config", cfg)
	second.Env = env
	var out, errb bytes.Buffer
	second.Stdout, second.Stderr = &out, &errb
	if err := second.Run(); err != nil {
		t.Fatalf("second bare launch: %v, want exit 0\n%s\n%s", err, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "already running in this session; asked it to check now") ||
		strings.Contains(errb.String(), "running in console mode") || !strings.Contains(out.String(), free) {
		t.Errorf("second launch did not hand over:\nstdout %q\nstderr %q", out.String(), errb.String())
	}
	first.waitOutput(t, "manual check:") // the check it asked for shows in the console too

	cn := exec.CommandContext(ctx, first.cmd.Path, "check-now")
	cn.Env = env
	got, err := cn.CombinedOutput()
	if err != nil || strings.Contains(string(got), "no traycheck is running") || !strings.Contains(string(got), free) {
		t.Errorf("check-now did not reach the console traycheck: %v\n%s", err, got)
	}

	act := exec.CommandContext(ctx, first.cmd.Path, "action", "retry", "--resource", fmt.Sprintf("udp/%d", port),
		"--token", "AAAAAAAAAAAAAAAAAAAAAA")
	act.Env = env
	if got, err := act.CombinedOutput(); err == nil || !strings.Contains(string(got), "rejected") {
		t.Errorf("a forwarded action was not refused: %v\n%s", err, got)
	}

	watch := startChild(t, env, "watch", "--config", cfg)
	watch.waitOutput(t, "first check:")
	if err := watch.stop(); err != nil {
		t.Errorf("traycheck watch beside the console instance: %v\n%s", err, watch.stderr)
	}
	if s := watch.stderr.String(); strings.Contains(s, "already running") {
		t.Errorf("an explicit watch handed over instead of running: %s", s)
	}

	if err := first.stop(); err != nil {
		t.Errorf("console traycheck on Ctrl-C: %v, want exit 0", err)
	}
}
