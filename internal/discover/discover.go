// Package discover reads the VPN's own configuration (OpenVPN profiles,
// WireGuard and strongSwan files, NetworkManager's VPN connections, ssh
// forwards, Windows RAS phonebooks, serial modems) and says which local ports
// and devices it will need, so traycheck watches what this machine's VPN
// really uses instead of a guess.
//
// Every parser takes an io.Reader and lives in a file without an OS suffix,
// so its tests run everywhere; the per-OS files only know where to look.
package discover

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The kinds of source, as `traycheck config discover --json` names them.
const (
	KindOpenVPN        = "openvpn"
	KindWireGuard      = "wireguard"
	KindIPsec          = "ipsec"
	KindNetworkManager = "networkmanager"
	KindSSH            = "ssh"
	KindRAS            = "ras"
	KindSerial         = "serial"
)

// Found is one VPN configuration and what it needs. Its JSON form is an
// element of "found" in `traycheck config discover --json`; Ports, Devices
// and Clients are always arrays.
type Found struct {
	// Source is the file or D-Bus object it was read from.
	Source string `json:"source"`
	Kind   string `json:"kind"`
	// Name is the profile, interface, host pattern or phonebook entry.
	Name string `json:"name"`
	// Ports are local ports the client binds, as "udp/N" / "tcp/N".
	Ports []string `json:"ports"`
	// Devices are modem or serial devices it dials through.
	Devices []string `json:"devices"`
	// Clients are the process names of the program that uses it.
	Clients []string `json:"clients"`
	// Adapter is the network interface it brings up ("tun0", "wg0"), for
	// "Reset adapter"; empty when unknown.
	Adapter string `json:"adapter,omitempty"`
	// Reconnect is a suggested argv that brings the VPN back up.
	Reconnect []string `json:"reconnect,omitempty"`
	// ForwardPorts are local TCP ports of ssh forwards (also in Ports).
	ForwardPorts []uint16 `json:"-"`
	// Note says what could not be known ("binds a random port", "not
	// readable without root").
	Note string `json:"note"`
	// Skipped is what discovery left unread in this source and why (an
	// Include loop, a glob over too many files, a line over the cap, a
	// spent budget): never a silent drop. Always an array in JSON.
	Skipped []Skip `json:"skipped"`
}

func (f *Found) addPort(proto string, port int) {
	if port <= 0 || port > 65535 {
		return
	}
	s := proto + "/" + strconv.Itoa(port)
	if !slices.Contains(f.Ports, s) {
		f.Ports = append(f.Ports, s)
	}
}

func (f *Found) addNote(s string) {
	if s == "" || strings.Contains(f.Note, s) {
		return
	}
	if f.Note != "" {
		f.Note += "; "
	}
	f.Note += s
}

// normalize makes the slices non-nil, for the JSON contract.
func (f *Found) normalize() {
	if f.Ports == nil {
		f.Ports = []string{}
	}
	if f.Devices == nil {
		f.Devices = []string{}
	}
	if f.Clients == nil {
		f.Clients = []string{}
	}
	if f.Skipped == nil {
		f.Skipped = []Skip{}
	}
}

// Sources says where Discover looks. The zero value is not useful: start
// from DefaultSources, which knows this OS's places; tests point the fields
// at their own directories.
type Sources struct {
	// OpenVPN are files or directories of OpenVPN profiles (*.conf, *.ovpn;
	// directories are searched recursively, bounded in depth and count).
	OpenVPN []string
	// OpenVPNImported are directories searched for *.ovpn only (profiles a
	// user imported by hand under ~/.config, among other programs' files).
	OpenVPNImported []string
	// WireGuard are directories of WireGuard configurations (*.conf).
	WireGuard []string
	// StrongSwan are strongswan.conf files (charon's ports); IPsecPresence
	// are ipsec.conf and swanctl.conf files: an IPsec setup is reported when
	// one of them defines a connection.
	StrongSwan    []string
	IPsecPresence []string
	// SSHConfig is the user's ssh client config (~/.ssh/config).
	SSHConfig string
	// Phonebooks are Windows RAS phonebooks (rasphone.pbk).
	Phonebooks []string
	// SerialByID is the directory of stable serial names (/dev/serial/by-id).
	SerialByID string
	// NetworkManager asks NetworkManager's settings over the system bus.
	NetworkManager bool
	// WindowsWireGuard is WireGuard for Windows' configuration directory:
	// when it exists, discovery says its tunnels cannot be read.
	WindowsWireGuard string
}

// Discover reads every source and returns what it found, in source order.
// A source that is absent is skipped; one that cannot be read is reported as
// a Found with a Note rather than dropped, so the user learns why.
//
// All sources share one budget (budgetFiles files, budgetBytes bytes, each
// file read once): what is over it is named in the Found's Skipped.
func Discover(ctx context.Context, s Sources) []Found {
	return discover(ctx, s, newBudget())
}

func discover(ctx context.Context, s Sources, b *budget) []Found {
	var out []Found
	for _, p := range s.OpenVPN {
		out = append(out, openVPNFiles(b, p, ".conf", ".ovpn")...)
	}
	for _, p := range s.OpenVPNImported {
		out = append(out, openVPNFiles(b, p, ".ovpn")...)
	}
	for _, d := range s.WireGuard {
		out = append(out, wireGuardDir(b, d)...)
	}
	out = append(out, ipsecFiles(b, s.StrongSwan, s.IPsecPresence)...)
	if s.SSHConfig != "" {
		if f, ok := sshConfigFile(s.SSHConfig, b); ok {
			out = append(out, f)
		}
	}
	for _, p := range s.Phonebooks {
		out = append(out, phonebookFile(b, p)...)
	}
	if s.SerialByID != "" {
		out = append(out, serialByID(s.SerialByID)...)
	}
	if s.NetworkManager {
		out = append(out, networkManager(ctx)...)
	}
	if s.WindowsWireGuard != "" {
		if _, err := os.Stat(s.WindowsWireGuard); err == nil {
			out = append(out, Found{Source: s.WindowsWireGuard, Kind: KindWireGuard, Name: "WireGuard for Windows",
				Clients: []string{"wireguard"}, Note: WindowsWireGuardNote})
		}
	}
	for i := range out {
		out[i].normalize()
	}
	return out
}
