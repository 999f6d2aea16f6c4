package diagnose

import (
	"strconv"
)

// catRASNotes are the Windows Remote Access errors users paste beside 602
// and 633 (rasdial, the connection dialog, RasClient's event 20227). Each
// says whether a local holder can be to blame: the DeviceInUse ones are the
// device or port still held or stuck here; the DialFailed ones are the
// server, the network, credentials or broken local settings, where ending a
// process would not help. Codes and names come from RASErrors.
var catRASNotes = []struct {
	code   int
	family Family
	note   string
}{
	{606, DialFailed, "The port is no longer connected: the connection dropped (sleep and network changes often do this). Dial again."},
	{608, DialFailed, "The device this connection is set to use does not exist (a removed modem, a deleted WAN Miniport): choose the device again in the connection's properties."},
	{615, DialFailed, "The port this connection is set to use was not found (a removed modem or a deleted WAN Miniport): choose it again in the connection's properties."},
	{617, DeviceInUse, "The previous connection on this port is still disconnecting. Wait a few seconds and dial again; if it stays (often after sleep), " +
		"restart the Remote Access Connection Manager service (RasMan) as administrator, or reboot."},
	{619, DialFailed, "The server or a firewall on the way closed the connection before it was set up; for PPTP, blocked GRE (IP protocol 47) is the usual cause. Not a local port conflict."},
	{628, DialFailed, "The server ended the connection before it was complete (credentials, a protocol it does not accept, or its connection limit). Not a local port conflict."},
	{629, DialFailed, "The server closed the connection. Not a local port conflict."},
	{651, DeviceInUse, "The modem or WAN Miniport reported an error; after sleep this is often a stuck miniport: reset the adapter (disable and enable it), or reboot."},
	{678, DialFailed, "The server did not answer: a wrong address, the server is down, or a firewall drops the traffic."},
	{691, DialFailed, "The user name, password or domain was refused."},
	{692, DeviceInUse, "Windows lost the modem or WAN Miniport (reported as a hardware failure): replug the modem or reset the adapter."},
	{720, DialFailed, "No PPP control protocol could be agreed. Usually this computer's WAN Miniport (IP) adapters are broken: " +
		"remove them under Device Manager's hidden devices and let Windows reinstall them, or run `netsh int ip reset` as administrator and reboot; " +
		"otherwise the server allows none of the protocols the connection enables (IPv4 on the connection's Networking tab)."},
	{797, DeviceInUse, "The modem or VPN device was not found or was busy: another connection or program has it open, or it was unplugged."},
	{800, DialFailed, "The VPN could not be set up: the server is unreachable, or the VPN type or security settings do not match; set the VPN type explicitly (IKEv2, L2TP/IPsec, SSTP, PPTP) instead of Automatic."},
	{807, DialFailed, "The network between this computer and the VPN server was interrupted (often sleep or a Wi-Fi change). Dial again."},
	{809, DialFailed, "The server did not answer the VPN's traffic: a firewall blocks it (UDP 500 and 4500 for IKE and L2TP/IPsec), or, for L2TP/IPsec behind NAT, " +
		"Windows needs the AssumeUDPEncapsulationContextOnSendRule registry value."},
	{812, DialFailed, "A policy on the VPN server (authentication protocol or group membership) refused the connection: ask its administrator."},
}

// catRASCodes turns catRASNotes into entries: "Error 720", "Remote Access
// error 720 - ...", "The error code returned on failure is 720."
func catRASCodes() []catEntry {
	out := make([]catEntry, 0, len(catRASNotes))
	for _, n := range catRASNotes {
		c := strconv.Itoa(n.code)
		out = append(out, catEntry{id: "ras-" + c, family: n.family, code: catRASName(n.code), rank: 75, program: ProgRAS,
			hints: []string{c}, re: catRE(catRASError + c + `\b`), note: n.note})
	}
	return out
}
