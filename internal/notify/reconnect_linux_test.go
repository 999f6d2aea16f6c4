//go:build linux

package notify

import (
	"context"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/traycheck/traycheck/internal/power/powertest"
)

func ownDaemon(t *testing.T, c *dbus.Conn, caps ...string) *fakeDaemon {
	t.Helper()
	d := &fakeDaemon{conn: c, caps: caps}
	if err := c.Export(d, fdoPath, fdoName); err != nil {
		t.Fatal(err)
	}
	if r, err := c.RequestName(fdoName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", fdoName, r, err)
	}
	return d
}

// Issue 25 item 9: after the session bus restarts (and before any daemon
// is there), the next note is shown on the new bus, and a click on it
// comes back: the connection and its subscriptions are made anew.
func TestReconnectingSurvivesBusRestart(t *testing.T) {
	bus := powertest.StartBus(t) // a real dbus-daemon, restartable at one address
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	ctx := context.Background()

	// No notification service yet: Show fails, nothing panics.
	r := NewReconnecting(ctx, Options{AppName: "traycheck-test"})
	t.Cleanup(func() { r.Close() })
	if err := r.Show(ctx, holdNote); err == nil {
		t.Fatal("Show succeeded with no notification service")
	}
	d := ownDaemon(t, bus.Conn(), "actions")
	if err := r.Show(ctx, holdNote); err != nil {
		t.Fatalf("Show once a daemon is there: %v", err)
	}
	if d.last(t).summary != holdNote.Title {
		t.Errorf("first daemon got %+v", d.last(t))
	}

	bus.Restart()
	waitUntil(t, "the old connection to notice the restart", func() bool { return !r.Connected() })
	d2 := ownDaemon(t, bus.Conn(), "actions")
	next := holdNote
	next.Title, next.Token = "after the restart", "tok2"
	if err := r.Show(ctx, next); err != nil {
		t.Fatalf("Show after the bus restarted: %v", err)
	}
	if got := d2.last(t); got.summary != "after the restart" || got.replaces != 0 {
		t.Errorf("new daemon got %+v (a replace id of the old bus must not leak)", got)
	}
	d2.emit(t, "ActionInvoked", uint32(1), "end-process")
	select {
	case resp := <-r.Responses():
		if resp.Tag != "udp/1194" || resp.Action != "end-process" || resp.Token != "tok2" {
			t.Errorf("response = %+v", resp)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the click on the new bus never arrived")
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
