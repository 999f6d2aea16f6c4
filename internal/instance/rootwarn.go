package instance

import "os"

// RootWarning returns a warning to show once at start when traycheck runs as
// root inside a desktop session, or "" when it does not. As root it cannot
// reach the user's session bus, so the tray icon and notifications break,
// and every action would run with root's rights.
func RootWarning() string { return rootWarning(euid(), os.Getenv) }

func rootWarning(euid int, getenv func(string) string) string {
	if euid != 0 {
		return ""
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" && getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return ""
	}
	who := "your own user"
	if u := getenv("SUDO_USER"); u != "" {
		who = u
	}
	return "traycheck is running as root on a desktop: the tray icon and notifications need the user's session bus " +
		"and will not work, and actions would run as root. Start it as " + who + " without sudo (autostart does that: " +
		"`traycheck autostart enable`); it asks for administrator rights itself when an action needs them. " +
		"To see other users' processes once, run `sudo traycheck check`."
}
