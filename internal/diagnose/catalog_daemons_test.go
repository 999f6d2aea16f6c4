package diagnose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// The daemons' texts as their programs print them. Those that run here are
// also captured live from the program in catalog_realprog_linux_test.go; the
// lines below are copies of such captures (OpenSSH 9.2, strongSwan 5.9.8,
// xl2tpd 1.3, wireguard-go 0.0.20220316, dnsmasq 2.90, socat 1.7.4,
// gunicorn 20.1 on Debian 12), so the table runs on every OS.
func init() {
	catCases = append(catCases, daemonCases...)
	for _, n := range catRASNotes {
		e, _ := LookupRASError(n.code)
		// The connection dialog's form; the text is Windows' own (raserror.h).
		catCases = append(catCases, catCase{"RAS dialog", fmt.Sprintf("Error %d: %s", n.code, e.Text),
			fmt.Sprintf("ras-%d", n.code), n.family, e.Name, TextResource{}})
	}
}

var daemonCases = []catCase{
	{"OpenSSH ssh -R", "Warning: remote port forwarding failed for listen port 9001", "openssh-remote-forward", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 9001, Remote: true}},
	{"OpenSSH ssh -R ExitOnForwardFailure", "Error: remote port forwarding failed for listen port 9001", "openssh-remote-forward", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 9001, Remote: true}},
	{"strongSwan charon", "00[NET] unable to bind socket: Address already in use", "charon-bind", AddressInUse, "EADDRINUSE", TextResource{}},
	{"strongSwan charon journal", "Nov 25 17:16:21 gw charon[2210]: 00[NET] unable to bind socket: Address already in use", "charon-bind", AddressInUse, "EADDRINUSE", TextResource{}},
	{"xl2tpd", "xl2tpd[673]: init_network: Unable to bind socket: Address already in use. Terminating.", "xl2tpd-bind", AddressInUse, "EADDRINUSE", TextResource{}},
	{"wireguard-go", "ERROR: (wgt0) 2026/11/25 17:17:14 IPC error -98: failed to set listen_port: address already in use", "wireguard-go-listen-port",
		AddressInUse, "EADDRINUSE", TextResource{}},
	{"dnsmasq port", "dnsmasq: failed to create listening socket for port 5353: Address already in use", "dnsmasq-port", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.UDP, Port: 5353, AnyProto: true}},
	{"dnsmasq address", "dnsmasq: failed to create listening socket for 127.0.0.1: Address already in use", "dnsmasq-address", AddressInUse, "EADDRINUSE",
		TextResource{Address: "127.0.0.1"}},
	{"dnsmasq DHCP", "dnsmasq: failed to bind DHCP server socket: Address already in use", "dnsmasq-dhcp", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.UDP, Port: 67}},
	{"dnsmasq DHCPv6", "dnsmasq: failed to bind DHCPv6 server socket: Address already in use", "dnsmasq-dhcp6", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.UDP, Port: 547}},
	{"socat IPv4", "2026/11/25 17:15:49 socat[26390] E bind(5, {AF=2 0.0.0.0:4789}, 16): Address already in use", "socat-bind", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 4789, Address: "0.0.0.0", AnyProto: true}},
	{"socat IPv6", "2026/11/25 17:15:52 socat[26743] E bind(5, {AF=10 [0000:0000:0000:0000:0000:0000:0000:0000]:4789}, 28): Address already in use",
		"socat-bind", AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.TCP, Port: 4789, Address: "::", AnyProto: true}},
	{"socat udp, command pasted too", "$ socat -u UDP-RECV:4789 STDOUT\n2026/11/25 17:15:49 socat[26390] E bind(5, {AF=2 0.0.0.0:4789}, 16): Address already in use",
		"socat-bind", AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.UDP, Port: 4789, Address: "0.0.0.0"}},
	{"gunicorn", "[2026-11-25 17:15:53 +0000] [26792] [ERROR] Connection in use: ('127.0.0.1', 18000)", "gunicorn-in-use", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 18000, Address: "127.0.0.1"}},
	// Docker has no engine here; this is a user's paste, github.com/ehazlett/shipyard/issues/821.
	{"Docker", "docker: Error response from daemon: driver failed programming external connectivity on endpoint shipyard-proxy " +
		"(b6f760b12220a78b27e24063d8eb341e78a311a8962119ec2016436d3e0c75f5): Bind for 0.0.0.0:2375 failed: port is already allocated.",
		"docker-port-allocated", AddressInUse, "PORT_ALREADY_ALLOCATED", TextResource{Kind: vpnport.TCP, Port: 2375, Address: "0.0.0.0", AnyProto: true}},
	// ASP.NET Core on Windows (Italian), as quoted in a public repository.
	{"Kestrel", "System.IO.IOException: Failed to bind to address https://127.0.0.1:62412: address already in use.", "kestrel-bind", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 62412, Address: "127.0.0.1"}},
	// Windows 10048 in Russian with the address and no number (a Rust server's
	// panic, foundry's anvil, as quoted in a public repository).
	{"Windows 10048 ru", "thread 'main' panicked at 'error binding to 127.0.0.1:8545: error creating server listener: Обычно разрешается только одно использование адреса сокета..",
		"wsa-10048-address", AddressInUse, "WSAEADDRINUSE", TextResource{Kind: vpnport.TCP, Port: 8545, Address: "127.0.0.1", AnyProto: true}},
	// Java 17's real message names no port (captured from java on Debian 12;
	// older releases added "(Bind failed)").
	{"Java 17", "Exception in thread \"main\" java.net.BindException: Address already in use", "eaddrinuse", AddressInUse, "EADDRINUSE", TextResource{}},
	// The localized text alone (German .NET, github.com/dotnet/MQTTnet/issues/769).
	{"Windows 10048 de", "Normalerweise darf jede Socketadresse (Protokoll, Netzwerkadresse oder Anschluss) nur jeweils einmal verwendet werden.",
		"windows-only-one-usage-localized", AddressInUse, "WSAEADDRINUSE", TextResource{}},
}

// A note's commands carry the port the text names.
func TestExplainNoteNamesThePort(t *testing.T) {
	m := Explain("Error: remote port forwarding failed for listen port 9001")
	if !strings.Contains(m.Explanation, "ss -ltnp 'sport = :9001'") || strings.Contains(m.Explanation, "PORT") ||
		strings.Contains(m.Explanation, "Another socket already holds this local port") {
		t.Errorf("ssh -R explanation: %s", m.Explanation)
	}
	m = Explain("Bind for 0.0.0.0:8080 failed: port is already allocated")
	if !strings.Contains(m.Explanation, "docker ps --filter publish=8080") {
		t.Errorf("Docker explanation: %s", m.Explanation)
	}
}
