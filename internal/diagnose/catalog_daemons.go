package diagnose

import "github.com/traycheck/traycheck/internal/vpnport"

// catDaemons are the bind failures of the VPN daemons and the servers users
// run beside them, each as the real program prints it (catalog_realprog_linux_test.go
// captures every one of them from the program itself).
func catDaemons() []catEntry {
	return []catEntry{
		// ssh -R: sshd on the server binds the port, so nothing here holds it.
		{id: "openssh-remote-forward", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 88,
			program: ProgSSH, remote: true, own: true,
			hints: []string{"remote port forwarding failed"}, re: catRE(`remote port forwarding failed for listen port (?P<port>\d{1,5})`),
			note: "The server could not listen on the port of ssh's remote forward (-R): the port is on the server, not on this computer, so checking here proves nothing. " +
				"On the server something already listens on it, most often the sshd of your earlier session whose connection died and has not timed out yet " +
				"(ClientAliveInterval on the server, ServerAliveInterval on the client make that quicker). Run `traycheck check tcp/PORT` or `ss -ltnp 'sport = :PORT'` there."},
		// strongSwan's socket-default plugin names no port; "IPv4 disabled" follows.
		{id: "charon-bind", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 70, program: ProgCharon,
			hints: []string{"unable to bind socket"}, re: catRE(`\bunable to bind socket: Address already in use`),
			note: "strongSwan's charon could not bind one of its IKE ports (udp/500 or udp/4500); its message names neither the port nor the address. " +
				"It keeps running on the sockets it did get, so a running charon is not by itself a second copy."},
		// charon checks its pid file before binding anything: this text
		// is a second start while the first charon runs (it names the pid
		// file, so no port).
		{id: "charon-already-running", family: AddressInUse, code: "ALREADY_RUNNING", rank: 80, program: ProgCharon, second: true, own: true,
			hints: []string{"already running"}, re: catRE(`\bcharon(?:-systemd)? already running \("?[^")]{0,128}"? exists\)`),
			note: "A second charon was started while one already runs (its pid file exists): the running charon holds the IKE ports (udp/500 and udp/4500) and is most likely your working IPsec VPN. " +
				"Use the running one (swanctl or ipsec reload its configuration); stop it first only if you meant to replace it."},
		{id: "xl2tpd-bind", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 85, program: ProgXL2TPD,
			hints: []string{"init_network"}, re: catRE(`init_network: Unable to bind socket: Address already in use`),
			note: "xl2tpd could not bind its L2TP port (udp/1701 unless `port =` in xl2tpd.conf says otherwise) and exited."},
		{id: "wireguard-go-listen-port", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 75, program: ProgWireGuard,
			hints: []string{"listen_port"}, re: catRE(`failed to set listen_port: address already in use`),
			note: "wireguard-go could not bind the interface's ListenPort (udp; 51820 by convention); the interface stays up without it."},
		{id: "dnsmasq-port", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, rank: 88, program: ProgDnsmasq,
			hints: []string{"listening socket"}, re: catRE(`failed to create listening socket for port (?P<port>\d{1,5}): Address already in use`),
			note: "dnsmasq binds its DNS port for both udp and tcp; another DNS server (systemd-resolved, a second dnsmasq, libvirt's) usually holds it."},
		{id: "dnsmasq-address", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, rank: 80, program: ProgDnsmasq,
			hints: []string{"listening socket"}, re: catRE(`failed to create listening socket for (?P<addr>[0-9A-Fa-f.:%\w-]{1,64}): Address already in use`),
			note: "dnsmasq could not bind its DNS port (53 unless `port=` says otherwise) on that address; another DNS server usually holds it."},
		{id: "dnsmasq-dhcp", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 85, program: ProgDnsmasq, port: 67,
			hints: []string{"dhcp server socket"}, re: catRE(`failed to bind DHCP server socket: Address already in use`),
			note: "dnsmasq's DHCP server needs udp/67, which another DHCP server (a second dnsmasq, dhcpd, libvirt's network) holds."},
		{id: "dnsmasq-dhcp6", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 85, program: ProgDnsmasq, port: 547,
			hints: []string{"dhcpv6 server socket"}, re: catRE(`failed to bind DHCPv6 server socket: Address already in use`),
			note: "dnsmasq's DHCPv6 server needs udp/547, which another DHCPv6 server holds."},
		// socat prints the sockaddr it tried: AF=2 is IPv4, AF=10 IPv6.
		{id: "socat-bind", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.TCP, rank: 88, program: ProgSocat,
			hints: []string{"bind("}, re: catRE(`\bbind\(\d{1,5}, \{AF=(?:2|10) ` + catHostPort + `\}, \d{1,3}\): Address already in use`),
			note: "socat's message does not say tcp or udp, so both are checked; `reuseaddr` only helps against TIME_WAIT, not a live listener."},
		{id: "gunicorn-in-use", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 88, program: ProgGunicorn,
			hints: []string{"connection in use"}, re: catRE(`Connection in use: \('(?P<addr>[^']{0,64})', (?P<port>\d{1,5})(?:, \d{1,10}, \d{1,10})?\)`),
			note: "gunicorn retries five times, a second apart, then gives up (\"Can't connect to\"): often an earlier gunicorn (its master or an orphaned worker) still holds the port."},
		// Docker's own port allocator: the text is the same for tcp and udp.
		{id: "docker-port-allocated", family: AddressInUse, code: "PORT_ALREADY_ALLOCATED", kind: vpnport.TCP, rank: 88, program: ProgDocker, own: true,
			hints: []string{"port is already allocated"}, re: catRE(`Bind for ` + catHostPort + ` failed: port is already allocated`),
			note: "Docker's port allocator refused the host port before anything was bound: another container already publishes this host port (`docker ps --filter publish=PORT` names it). " +
				"Stop that container or publish another host port. On the host the holder is that container's docker-proxy, or no process at all when the userland proxy is off; " +
				"ending docker-proxy only breaks the other container."},
	}
}

// catWindows are Windows' socket error 10048 (WSAEADDRINUSE) as Windows
// prints it in other languages: the number and the address identify it
// whatever the language; the localized text alone still names the family.
func catWindows() []catEntry {
	const addr = `(?:\('(?P<addr>[^']{0,64})', (?P<port>\d{1,5})|(?P<hostport>(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}|\[[0-9A-Fa-f:.]{2,45}\]:\d{1,5}))`
	const addr2 = `(?:\('(?P<addr2>[^']{0,64})', (?P<port2>\d{1,5})|(?P<hostport2>(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}|\[[0-9A-Fa-f:.]{2,45}\]:\d{1,5}))`
	// The error itself: its number, its name, or its text in any language.
	const wsa = `(?:\b10048\b|\bWSAEADDRINUSE\b|(?i:only one usage of each socket address)|` + catInUseLocalized + `)`
	return []catEntry{
		{id: "wsa-10048-address", family: AddressInUse, code: "WSAEADDRINUSE", kind: vpnport.TCP, rank: 50,
			hints: append([]string{"10048", "wsaeaddrinuse", "only one usage"}, catInUseLocalizedHints...),
			re:    catRE(wsa + `.{0,300}?` + addr + `|` + addr2 + `.{0,300}?` + wsa)},
		// ASP.NET Core's Kestrel, then the SocketException (10048) below it.
		{id: "kestrel-bind", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 85,
			hints: []string{"failed to bind to address"}, re: catRE(`Failed to bind to address (?:https?://)?` + catHostPort + `: address already in use`)},
		{id: "windows-only-one-usage-localized", family: AddressInUse, code: "WSAEADDRINUSE", rank: 16,
			hints: catInUseLocalizedHints, re: catRE(catInUseLocalized)},
	}
}
