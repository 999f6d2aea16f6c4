//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/traycheck/traycheck/internal/power/powertest"
)

// Issue 17 item 5: the tray panicked ("dbus: connection closed by user"
// from systray.SetIcon) on its first redraw after the session bus
// restarted. The shared session bus of with-desktop.sh carries the panel
// every other test needs, so this test gives the tray a session bus of its
// own, a real dbus-daemon, and restarts that one under it.

// watcher stands in for the panel's org.kde.StatusNotifierWatcher on the
// private bus: it records the PID of every item that registers.
type watcher struct {
	conn *dbus.Conn
	mu   sync.Mutex
	pids []uint32
}

func (w *watcher) RegisterStatusNotifierItem(sender dbus.Sender, _ string) *dbus.Error {
	var pid uint32
	if err := w.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, string(sender)).Store(&pid); err == nil {
		w.mu.Lock()
		w.pids = append(w.pids, pid)
		w.mu.Unlock()
	}
	return nil
}

func (w *watcher) registered(pid int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.pids {
		if int(p) == pid {
			return true
		}
	}
	return false
}

// alive reports whether pid runs (a zombie, dead but not yet waited for,
// does not).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func startWatcher(t *testing.T, bus *powertest.Bus) *watcher {
	t.Helper()
	w := &watcher{conn: bus.Conn()}
	if err := w.conn.Export(w, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	if r, err := w.conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning the watcher name: %v %v", r, err)
	}
	return w
}

func TestTraySurvivesSessionBusRestart(t *testing.T) {
	ctx := requireDesktop(t)
	bus := powertest.StartBus(t) // a real dbus-daemon at a fixed path, restartable
	w := startWatcher(t, bus)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	port := freeUDPPort(t)
	if err := os.WriteFile(cfg, []byte("[vpn]\nports = [\"udp/"+fmt.Sprint(port)+"\"]\n[check]\ninterval = \"1s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	p := runTray(t, []string{"DBUS_SESSION_BUS_ADDRESS=" + bus.Address, "DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + filepath.Join(dir, "no-system-bus"),
		"XDG_RUNTIME_DIR=" + run, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg")},
		"tray", "--config", cfg)
	pid := p.cmd.Process.Pid
	poll(ctx, t, "the tray to register on the private bus", func() bool { return w.registered(pid) })

	// Down long enough for a check and a redraw (interval 1s) to land while
	// the bus is gone: that redraw is what panicked.
	bus.Stop()
	time.Sleep(2500 * time.Millisecond)
	bus.Restart()
	w = startWatcher(t, bus)
	poll(ctx, t, "the same process to register again on the restarted bus", func() bool {
		if !alive(pid) {
			t.Fatalf("the tray died with its bus:\n%s", p.log.String())
		}
		return w.registered(pid)
	})
	log := p.log.String()
	for _, want := range []string{"the session bus went away under the tray", "the session bus is back; restarting the tray on it"} {
		if !strings.Contains(log, want) {
			t.Errorf("log does not say %q", want)
		}
	}
	if strings.Contains(log, "panic") {
		t.Fatalf("the tray panicked:\n%s", log)
	}

	// Issue 25 item 9: the next conflict is notified on the new bus, by a
	// real notification daemon started there, and its hints are intact.
	rc := filepath.Join(t.TempDir(), "dunstrc")
	if err := os.WriteFile(rc, []byte("[global]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startDunst(ctx, t, rc, bus.Conn(), "DBUS_SESSION_BUS_ADDRESS="+bus.Address)
	nw := watchBusOn(t, bus.Conn())
	holder := startHolder(ctx, t, port)
	n := nw.waitNote(ctx, t, fmt.Sprintf("udp/%d held by socat", port))
	n.checkHints(t, "network.error")
	if !strings.Contains(n.Body, fmt.Sprintf("PID %d", holder.pid)) {
		t.Errorf("the note on the new bus does not name the holder: %q", n.Body)
	}

	// A bus that stays away (the session ended): a clean exit with a line.
	bus.Stop()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after the bus went for good: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the tray did not exit after its bus went for good")
	}
	if log := p.log.String(); !strings.Contains(log, "the session bus did not come back; exiting") || strings.Contains(log, "panic") {
		t.Errorf("no clean exit line:\n%s", log)
	}
}
