//go:build !linux

package freeport

import "github.com/traycheck/traycheck/internal/vpnport"

// Windows and macOS use the IANA dynamic range unless an administrator
// changed it (netsh int ipv4 set dynamicport; sysctl net.inet.ip.portrange);
// reading those settings is left for when a user reports a changed range.
func ephemeralRange() (vpnport.PortRange, error) {
	return ianaDynamic, nil
}
