package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/testenv"
)

// TestConsoleActionsEndTheHolder is the console notifier's whole path with
// real processes: socat holds the watched port; the console traycheck prints
// the `traycheck action` command with a token; end-process asks for
// confirmation with a second token; only that one ends socat, and the
// finding's own token cannot skip the question.
func TestConsoleActionsEndTheHolder(t *testing.T) {
	socat := testenv.LookPath(t, "socat")
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	holder, exited, port := startSocat(t, socat)
	res := fmt.Sprintf("udp/%d", port)
	t.Cleanup(func() { holder.Process.Kill(); <-exited })

	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[vpn]\nports = [%q]\n[check]\ninterval = \"1h\"\n", res)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "XDG_RUNTIME_DIR="+run, "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus"))
	console := startChild(t, env, "--config", cfg)
	console.waitOutput(t, "to act on "+res+", run: ")
	offer := regexp.MustCompile(`traycheck action ACTION --resource ` + res + ` --pid (\d+) --token (\S+)\n\s+ACTION: retry, end-process, use-other-port`)
	m := offer.FindStringSubmatch(console.stdout.String())
	if m == nil || m[1] != fmt.Sprint(holder.Process.Pid) {
		t.Fatalf("no action line naming socat's PID %d:\n%s", holder.Process.Pid, console.stdout)
	}
	pid, tok := m[1], m[2]

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	action := func(args ...string) (string, error) {
		c := exec.CommandContext(ctx, console.cmd.Path, append([]string{"action"}, args...)...)
		c.Env = env
		out, err := c.CombinedOutput()
		return string(out), err
	}
	// check-now through the running instance exits as check would: 1 while
	// socat holds the port.
	cn := exec.CommandContext(ctx, console.cmd.Path, "check-now")
	cn.Env = env
	if out, err := cn.CombinedOutput(); exitCode(err) != 1 || !strings.Contains(string(out), "held by socat") {
		t.Errorf("check-now with a conflict: exit %d, want 1\n%s", exitCode(err), out)
	}
	if out, err := action("confirm-end-process", "--resource", res, "--pid", pid, "--token", tok); err == nil || !strings.Contains(out, "rejected") {
		t.Fatalf("the finding's token confirmed an end-process by itself: %v\n%s", err, out)
	}
	// The offer named socat's PID: the same token with another PID is
	// refused and stays good for the right answer.
	out, err := action("end-process", "--resource", res, "--pid", "1", "--token", tok)
	if err == nil || !strings.Contains(out, "rejected") {
		t.Fatalf("end-process of PID 1 with socat's offer: %v, want a refusal\n%s", err, out)
	}
	out, err = action("end-process", "--resource", res, "--pid", pid, "--token", tok)
	if err != nil {
		t.Fatalf("end-process: %v\n%s", err, out)
	}
	confirm := regexp.MustCompile(`needs confirmation: End socat \(PID ` + pid + `, /usr/bin/socat\)\?[^\n]*\nto confirm, run: traycheck action (confirm-end-process --resource ` + res + ` --pid ` + pid + ` --token \S+)`)
	cm := confirm.FindStringSubmatch(out)
	if cm == nil {
		t.Fatalf("end-process did not ask for confirmation with a command:\n%s", out)
	}
	select {
	case <-exited:
		t.Fatal("socat ended before the confirmation")
	case <-time.After(200 * time.Millisecond):
	}
	// Issue 17 item 7: the confirmation is bound to the PID its question
	// named; the same token with another --pid is refused, and spares it.
	other := strings.Replace(cm[1], "--pid "+pid, "--pid 1", 1)
	if out, err := action(strings.Fields(other)...); err == nil || !strings.Contains(out, "rejected") {
		t.Fatalf("the confirmation with another PID: %v, want a refusal\n%s", err, out)
	}
	if out, err := action(strings.Fields(cm[1])...); err != nil {
		t.Fatalf("confirming: %v\n%s", err, out)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("socat still runs after the confirmed end-process:\n%s", console.stdout)
	}
	console.waitOutput(t, res+" is free.")
	cn = exec.CommandContext(ctx, console.cmd.Path, "check-now")
	cn.Env = env
	if out, err := cn.CombinedOutput(); err != nil {
		t.Errorf("check-now once free: %v, want exit 0\n%s", err, out)
	}
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
