package tray

import (
	"context"
	"errors"
	"strings"

	"github.com/traycheck/traycheck/internal/notify"
)

// ErrNoDesktop means there is no desktop to put an icon in (no session bus
// on Linux, a macOS build without cgo): run the console mode instead.
var ErrNoDesktop = errors.New("tray: no desktop session to show a tray icon in")

// ErrBusLost is returned by Run when the session bus under the tray went
// away (its daemon exited or restarted). The icon cannot be brought back on
// the old connection; the caller starts afresh once the bus is back, or
// exits.
var ErrBusLost = errors.New("tray: the session bus went away")

// Preflight checks, without starting anything, that a tray can be shown. It
// returns an error wrapping ErrNoDesktop when not; hostRunning is false when
// a desktop exists but nothing shows StatusNotifier items yet (the icon then
// appears by itself once a host starts).
func Preflight(ctx context.Context) (hostRunning bool, err error) {
	return preflight(ctx)
}

// NoHostAdvice names the usual fix for a desktop without a tray host, from
// XDG_CURRENT_DESKTOP ("GNOME", "ubuntu:GNOME", "X-Cinnamon" ...).
func NoHostAdvice(desktop string) string {
	d := strings.ToLower(desktop)
	switch {
	case strings.Contains(d, "gnome") || strings.Contains(d, "unity"):
		return "GNOME shows tray icons only with the \"AppIndicator and KStatusNotifierItem Support\" extension: install and enable it (package gnome-shell-extension-appindicator)."
	case strings.Contains(d, "cinnamon"):
		return "Cinnamon needs the xapp-sn-watcher service: install the xapp package and enable \"Support for indicators\" in System Settings > Applets > Xapp Status."
	}
	return "Add a system tray or StatusNotifier applet to your panel, or run snixembed to show StatusNotifier icons in an XEmbed tray."
}

// noHostNote is said once when no tray host is running.
func noHostNote(desktop string) notify.Note {
	return notify.Note{
		Tag:   "traycheck/no-tray-host",
		Title: "traycheck is running, but no tray host is",
		Body:  "The traycheck icon cannot be shown yet; notifications still work. " + NoHostAdvice(desktop),
	}
}
