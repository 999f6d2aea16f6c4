//go:build linux

package tray

import (
	"context"
	"errors"

	"github.com/godbus/dbus/v5"
)

// watchBus calls lost when the session bus connection that systray uses
// closes (the bus daemon exited or restarted). systray cannot reconnect
// that connection, and its next SetIcon on it panics, so the tray must stop
// drawing at once. dbus.SessionBus is the shared connection systray itself
// took; only its Context is watched, no match rules are added to it (they
// would break systray's re-registration after a panel restart).
func watchBus(ctx context.Context, lost func(error)) {
	conn, err := dbus.SessionBus()
	if err != nil {
		lost(err)
		return
	}
	select {
	case <-conn.Context().Done():
		lost(errors.New("the session bus connection closed"))
	case <-ctx.Done():
	}
}
