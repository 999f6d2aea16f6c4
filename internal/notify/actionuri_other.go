//go:build !windows

package notify

// Only Windows opens traycheck: URIs; elsewhere actions come back over D-Bus
// or the tray menu, so there is nothing to register.
func registerURLScheme(string) error { return nil }
