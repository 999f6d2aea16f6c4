package discover

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultSources returns where this OS keeps VPN configurations for the
// current user and the machine.
func DefaultSources() Sources {
	home, _ := os.UserHomeDir()
	var s Sources
	if home != "" {
		s.SSHConfig = filepath.Join(home, ".ssh", "config")
	}
	switch runtime.GOOS {
	case "windows":
		if home != "" {
			s.OpenVPN = append(s.OpenVPN, filepath.Join(home, "OpenVPN", "config"))
		}
		if pf := os.Getenv("ProgramFiles"); pf != "" {
			s.OpenVPN = append(s.OpenVPN, filepath.Join(pf, "OpenVPN", "config"))
		}
		if ad := os.Getenv("AppData"); ad != "" {
			s.Phonebooks = append(s.Phonebooks, filepath.Join(ad, "Microsoft", "Network", "Connections", "Pbk", "rasphone.pbk"))
		}
		if pd := os.Getenv("ProgramData"); pd != "" {
			s.Phonebooks = append(s.Phonebooks, filepath.Join(pd, "Microsoft", "Network", "Connections", "Pbk", "rasphone.pbk"))
		}
		// WireGuard for Windows keeps its tunnels encrypted and readable
		// only by its service: WindowsWireGuardNote says so.
		if pf := os.Getenv("ProgramFiles"); pf != "" {
			s.WindowsWireGuard = filepath.Join(pf, "WireGuard", "Data", "Configurations")
		}
	case "darwin":
		if home != "" {
			s.OpenVPN = append(s.OpenVPN, filepath.Join(home, "Library", "Application Support", "Tunnelblick", "Configurations"))
		}
		s.WireGuard = []string{"/etc/wireguard", "/opt/homebrew/etc/wireguard", "/usr/local/etc/wireguard"}
	default:
		s.OpenVPN = []string{"/etc/openvpn"}
		if home != "" {
			// ~/.config holds profiles users imported by hand (*.ovpn only:
			// a .conf there is some other program's).
			s.OpenVPNImported = []string{filepath.Join(home, ".config")}
		}
		s.WireGuard = []string{"/etc/wireguard"}
		s.StrongSwan = []string{"/etc/strongswan.conf"}
		s.IPsecPresence = []string{"/etc/ipsec.conf", "/etc/swanctl/swanctl.conf"}
		s.SerialByID = "/dev/serial/by-id"
		s.NetworkManager = true
	}
	return s
}

// WindowsWireGuardNote is what discovery says of WireGuard on Windows, whose
// configurations only its service (as SYSTEM) can read.
const WindowsWireGuardNote = "WireGuard for Windows stores its tunnels encrypted for its own service: add their ListenPort to [vpn] ports by hand"
