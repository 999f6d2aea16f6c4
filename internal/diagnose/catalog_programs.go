package diagnose

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Program families: the programs whose texts name no port often enough that
// explain must know which ports they use. A text that names no port is
// checked on its program's ports only, never on every configured port:
// charon's "unable to bind socket" is not about OpenVPN's udp/1194, and the
// openvpn holding it must not be accused.
const (
	ProgOpenVPN   = "openvpn"
	ProgCharon    = "charon"
	ProgXL2TPD    = "xl2tpd"
	ProgWireGuard = "wireguard"
	ProgDnsmasq   = "dnsmasq"
	ProgSSH       = "ssh"
	ProgRAS       = "ras"
	ProgSocat     = "socat"
	ProgGunicorn  = "gunicorn"
	ProgDocker    = "docker"
	ProgOcserv    = "ocserv"
	ProgTinc      = "tinc"
)

func tcpPort(p uint16) vpnport.Resource { return vpnport.Resource{Kind: vpnport.TCP, Port: p} }
func udpPort(p uint16) vpnport.Resource { return vpnport.Resource{Kind: vpnport.UDP, Port: p} }

// programPorts are the ports each family binds by default. ssh has none
// here: its forwards are the user's own (the config's [ssh] forward_ports).
var programPorts = map[string][]vpnport.Resource{
	ProgOpenVPN:   {udpPort(1194), tcpPort(1194)}, // proto udp (default) or tcp-server
	ProgCharon:    {udpPort(500), udpPort(4500)},  // IKE and IKE NAT-T
	ProgXL2TPD:    {udpPort(1701)},
	ProgWireGuard: {udpPort(51820)}, // the conventional ListenPort
	ProgDnsmasq:   {udpPort(53), tcpPort(53), udpPort(67)},
	ProgOcserv:    {tcpPort(443), udpPort(443)}, // tcp-port and udp-port (DTLS)
	ProgTinc:      {tcpPort(655), udpPort(655)},
	// Windows RAS: PPTP's tcp/1723 (the port "another program claimed" in
	// the known 633 case), L2TP and IKE.
	ProgRAS: {tcpPort(1723), udpPort(1701), udpPort(500), udpPort(4500)},
}

// ProgramPorts returns the ports a program family uses by default, or nil
// when the family has none worth checking without the text naming one.
func ProgramPorts(program string) []vpnport.Resource {
	return slices.Clone(programPorts[program])
}

// programClients are the processes that are the family's own client on its
// ports, beyond the configured clients: Windows' built-in VPN is services
// (IKEEXT holds udp/500 and udp/4500 whenever the service runs).
var programClients = map[string][]string{
	ProgRAS: {"IKEEXT", "RasMan", "PolicyAgent"},
}

// ProgramClients returns the process or service names that are the
// family's own VPN client, to add to the configured clients.
func ProgramClients(program string) []string {
	return slices.Clone(programClients[program])
}

// expProgramRE finds the program in a syslog or journal prefix
// ("xl2tpd[673]: ", "charon: ", "dnsmasq: "), socat's own ("socat[12] E ") or in charon's own log tag
// ("00[NET] "). It only runs when the matched entry names no program.
var expProgramRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s>])(openvpn|charon(?:-systemd)?|xl2tpd|dnsmasq|wireguard-go|wg-quick|socat|gunicorn|ocserv|tincd)(?:: |\[\d{1,10}\]: |\[\d{1,10}\] [EWNI] )|\b\d{2}\[(?:NET|IKE|CFG|DMN)\] `)
})

// expProgram is the program that printed the text: the winning entry's,
// else another matching entry's of the same family, else a log prefix.
func expProgram(h expHit, hits []expHit, text string) string {
	if h.entry.program != "" {
		return h.entry.program
	}
	for _, o := range hits {
		if o.entry.family == h.entry.family && o.entry.program != "" {
			return o.entry.program
		}
	}
	m := expProgramRE().FindStringSubmatch(text)
	switch {
	case m == nil:
		return ""
	case m[1] == "":
		return ProgCharon // charon's "NN[NET]" tag
	case strings.HasPrefix(m[1], "charon"):
		return ProgCharon
	case m[1] == "wireguard-go" || m[1] == "wg-quick":
		return ProgWireGuard
	case m[1] == "tincd":
		return ProgTinc
	}
	return m[1]
}
