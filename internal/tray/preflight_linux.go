//go:build linux

package tray

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

const watcherName = "org.kde.StatusNotifierWatcher"

// preflight probes the session bus on a private connection that never
// auto-launches a bus: systray.Run with no bus blocks forever, and a later
// Quit panics on its nil connection.
func preflight(ctx context.Context) (bool, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrNoDesktop, err)
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return false, fmt.Errorf("%w: session bus auth: %w", ErrNoDesktop, err)
	}
	if err := conn.Hello(); err != nil {
		return false, fmt.Errorf("%w: session bus hello: %w", ErrNoDesktop, err)
	}
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has); err != nil {
		return false, fmt.Errorf("asking for %s: %w", watcherName, err)
	}
	return has, nil
}
