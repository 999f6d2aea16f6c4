//go:build linux

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/traycheck/traycheck/internal/notify/dbustest"
	"github.com/traycheck/traycheck/internal/testenv"
)

// TestDunstEndProcess runs the same conflict against dunst on a bus of its
// own, with no tray host there. dunst draws no buttons and sends its answers
// only to the caller; the test picks actions through `dunstctl context`,
// whose menu goes to a dmenu script that chooses the wanted action key.
func TestDunstEndProcess(t *testing.T) {
	ctx := requireDesktop(t)
	testenv.LookPath(t, "dunst")
	dunstctl := testenv.LookPath(t, "dunstctl")
	dbustest.Start(t, "") // this test's session bus: t.Setenv, children inherit it
	dir := t.TempDir()
	want := filepath.Join(dir, "want")
	script := filepath.Join(dir, "dmenu.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nkey=$(cat '"+want+"')\ngrep -F \",$key]\" | head -n 1\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "dunstrc")
	if err := os.WriteFile(rc, []byte("[global]\ndmenu = "+script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startDunst(ctx, t, rc, sessionConn(t))
	w := watchBus(t)
	c := sessionConn(t)
	choose := func(key string) {
		t.Helper()
		if err := os.WriteFile(want, []byte(key), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.CommandContext(ctx, dunstctl, "context").CombinedOutput(); err != nil {
			t.Fatalf("dunstctl context: %v\n%s", err, out)
		}
	}

	port := freeUDPPort(t)
	h := startHolder(ctx, t, port)
	tr := startTray(ctx, t, port)

	nohost := w.waitNote(ctx, t, "no tray host")
	if !strings.Contains(nohost.Body, "snixembed") {
		t.Errorf("no-host note does not name a fix: %q", nohost.Body)
	}
	n := w.waitNote(ctx, t, fmt.Sprintf("VPN 'e2e VPN' is blocked: udp/%d", port))
	n.checkHints(t, "network.error")
	choose("end-process")
	poll(ctx, t, "dunst to report end-process", func() bool { return w.sawAction(n.ID, "end-process") })
	cn := w.waitNote(ctx, t, fmt.Sprintf("End socat (PID %d, ", h.pid))
	select {
	case <-h.exited:
		t.Fatal("the helper ended before the confirmation")
	default:
	}
	choose("confirm-end-process")
	poll(ctx, t, "dunst to report the confirmation", func() bool { return w.sawAction(cn.ID, "confirm-end-process") })
	select {
	case <-h.exited:
	case <-ctx.Done():
		t.Fatal("the helper still runs after the confirmed end-process")
	}
	// The result is shown, not only logged (issue 25).
	w.waitNote(ctx, t, fmt.Sprintf("Ended socat (PID %d); udp/%d is free", h.pid, port)).checkHints(t, "network")
	// No host shows the item here, but its menu is on the bus all the same.
	poll(ctx, t, "the tray's menu to say all clear", func() bool {
		for _, name := range namesOf(c, tr.cmd.Process.Pid) {
			if m, err := layout(c, name); err == nil && len(m.Children) > 0 && m.Children[0].Label == "All clear: 1 port, 0 devices" {
				return true
			}
		}
		return false
	})
}

// startDunst runs dunst (a real notification daemon) with config rc until
// the test ends, and waits until it owns org.freedesktop.Notifications on
// the bus c reaches. env (such as DBUS_SESSION_BUS_ADDRESS=...) is added to
// dunst's environment; without it dunst uses the test's session bus.
func startDunst(ctx context.Context, t *testing.T, rc string, c *dbus.Conn, env ...string) {
	t.Helper()
	cmd := exec.Command("dunst", "-config", rc)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	log := &testenv.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("dunst log:\n%s", log.String())
		}
	})
	poll(ctx, t, "dunst to own org.freedesktop.Notifications", func() bool {
		select {
		case <-done:
			t.Fatalf("dunst exited: %s", log.String())
		default:
		}
		var pid uint32
		err := c.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, "org.freedesktop.Notifications").Store(&pid)
		return err == nil && int(pid) == cmd.Process.Pid
	})
}

// namesOf lists the unique bus names a process holds.
func namesOf(c *dbus.Conn, pid int) []string {
	var names []string
	if c.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names) != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		var p uint32
		if strings.HasPrefix(n, ":") && c.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, n).Store(&p) == nil && int(p) == pid {
			out = append(out, n)
		}
	}
	return out
}
