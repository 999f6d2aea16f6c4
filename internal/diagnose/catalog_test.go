package diagnose

import (
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// catCase is one real message, as the named program prints it, and what
// Explain must make of it.
type catCase struct {
	program string
	text    string
	entry   string
	family  Family
	code    string
	res     TextResource
}

var catCases = []catCase{
	// OpenSSH
	{"OpenSSH ssh -L", "bind [127.0.0.1]:8080: Address already in use", "openssh-bind", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 8080, Address: "127.0.0.1"}},
	{"OpenSSH ssh -L IPv6", "bind [::1]:8080: Address already in use", "openssh-bind", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 8080, Address: "::1"}},
	{"OpenSSH", "channel_setup_fwd_listener_tcpip: cannot listen to port: 5432", "openssh-cannot-listen", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 5432}},
	{"OpenSSH", "Could not request local forwarding.", "openssh-could-not-request", AddressInUse, "EADDRINUSE", TextResource{}},
	{"Windows OpenSSH", "bind [127.0.0.1]:50123: Permission denied", "openssh-bind-denied", AccessForbidden, "WSAEACCES",
		TextResource{Kind: vpnport.TCP, Port: 50123, Address: "127.0.0.1"}},
	{"OpenSSH, unprivileged", "bind [127.0.0.1]:80: Permission denied", "openssh-bind-denied", AccessForbidden, "EACCES",
		TextResource{Kind: vpnport.TCP, Port: 80, Address: "127.0.0.1"}},
	// OpenVPN
	{"OpenVPN 2.5 Linux", "2024-03-02 10:11:12 TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)",
		"openvpn-bind", AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.UDP, Port: 1194, AnyProto: true}},
	{"OpenVPN IPv6", "TCP/UDP: Socket bind failed on local address [AF_INET6][undef]:1194: Address already in use (errno=98)",
		"openvpn-bind", AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.UDP, Port: 1194, Address: "::", AnyProto: true}},
	{"OpenVPN Windows", "Sat Mar 02 10:11:12 2024 TCP/UDP: Socket bind failed on local address [AF_INET]192.168.1.20:1194: Address already in use (WSAEADDRINUSE) (errno=10048)",
		"openvpn-bind", AddressInUse, "WSAEADDRINUSE", TextResource{Kind: vpnport.UDP, Port: 1194, Address: "192.168.1.20", AnyProto: true}},
	{"OpenVPN management", "MANAGEMENT: Socket bind failed on local address [AF_INET]127.0.0.1:7505: Address already in use (errno=98)",
		"openvpn-management", AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.TCP, Port: 7505, Address: "127.0.0.1"}},
	{"OpenVPN", "All TAP-Windows adapters on this system are currently in use.", "openvpn-all-adapters", AdapterInUse, "ALL_ADAPTERS_IN_USE",
		TextResource{Kind: AdapterKind, Path: "TAP-Windows"}},
	{"OpenVPN 2.6", "All ovpn-dco adapters on this system are currently in use or disabled.", "openvpn-all-adapters", AdapterInUse, "ALL_ADAPTERS_IN_USE",
		TextResource{Kind: AdapterKind, Path: "ovpn-dco"}},
	// WireGuard
	{"wg-quick", "RTNETLINK answers: Address already in use", "wireguard-rtnetlink", AddressInUse, "EADDRINUSE", TextResource{}},
	{"wg setconf", "Unable to modify interface: Address already in use", "wireguard-setconf", AddressInUse, "EADDRINUSE", TextResource{}},
	{"wireguard-windows", "2024-03-02 10:11:12.123: [TUN] [office] Unable to create network adapter: Error creating interface: Cannot create a file when that file already exists.",
		"wireguard-create-adapter", AdapterInUse, "ADAPTER_CREATE_FAILED", TextResource{Kind: AdapterKind, Path: "office"}},
	// Windows RAS
	{"rasdial", "Remote Access error 602 - The port is already open.", "ras-602", PortAlreadyOpen, "ERROR_PORT_ALREADY_OPEN", TextResource{}},
	{"RAS dialog", "Error 602: The port is already open.", "ras-602", PortAlreadyOpen, "ERROR_PORT_ALREADY_OPEN", TextResource{}},
	{"RasGetErrorString", "The specified port is already open.", "ras-602-text", PortAlreadyOpen, "ERROR_PORT_ALREADY_OPEN", TextResource{}},
	{"RAS text", "The port is already open.", "ras-602-text", PortAlreadyOpen, "ERROR_PORT_ALREADY_OPEN", TextResource{}},
	{"RAS dialog", "Error 633: The modem (or other connecting device) is already in use or is not configured properly.",
		"ras-633", DeviceInUse, "ERROR_PORT_NOT_AVAILABLE", TextResource{}},
	{"RasClient event 20227", `The user DESKTOP\bob dialed a connection named Office VPN which has failed. The error code returned on failure is 633.`,
		"ras-633", DeviceInUse, "ERROR_PORT_NOT_AVAILABLE", TextResource{}},
	{"RAS text", "The modem (or other connecting device) is already in use or is not configured properly.",
		"ras-633-text", DeviceInUse, "ERROR_PORT_NOT_AVAILABLE", TextResource{}},
	// serial tools
	{"pyserial", "serial.serialutil.SerialException: [Errno 16] could not open port /dev/ttyACM0: [Errno 16] Device or resource busy: '/dev/ttyACM0'",
		"pyserial-busy", DeviceInUse, "EBUSY", TextResource{Kind: vpnport.Device, Path: "/dev/ttyACM0"}},
	{"pyserial Windows", "serial.serialutil.SerialException: could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)",
		"pyserial-windows", DeviceInUse, "ERROR_ACCESS_DENIED", TextResource{Kind: vpnport.Device, Path: "COM3"}},
	{"avrdude", `avrdude: ser_open(): can't open device "/dev/ttyUSB0": Device or resource busy`,
		"avrdude-busy", DeviceInUse, "EBUSY", TextResource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}},
	{"minicom", "minicom: cannot open /dev/ttyUSB0: Device or resource busy",
		"minicom-busy", DeviceInUse, "EBUSY", TextResource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}},
	{"Arduino IDE", "Error opening serial port '/dev/ttyACM0'. (Port busy)",
		"arduino-port-busy", DeviceInUse, "EBUSY", TextResource{Kind: vpnport.Device, Path: "/dev/ttyACM0"}},
	{"pppd", "/dev/ttyUSB2: Device or resource busy", "ebusy-path", DeviceInUse, "EBUSY", TextResource{Kind: vpnport.Device, Path: "/dev/ttyUSB2"}},
	{"picocom", "FATAL: cannot open /dev/ttyS0: Device or resource busy", "ebusy-path", DeviceInUse, "EBUSY",
		TextResource{Kind: vpnport.Device, Path: "/dev/ttyS0"}},
	{"bare", "Device or resource busy", "ebusy", DeviceInUse, "EBUSY", TextResource{}},
	// runtimes and servers
	{"Go", "listen tcp :8080: bind: address already in use", "go-listen", AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.TCP, Port: 8080}},
	{"Go udp6", "listen udp [::1]:53: bind: address already in use", "go-listen", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.UDP, Port: 53, Address: "::1"}},
	{"Go Windows", "listen tcp 127.0.0.1:8080: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted.",
		"go-listen", AddressInUse, "WSAEADDRINUSE", TextResource{Kind: vpnport.TCP, Port: 8080, Address: "127.0.0.1"}},
	{"Go Windows reserved", "listen tcp :50000: bind: An attempt was made to access a socket in a way forbidden by its access permissions.",
		"go-listen-forbidden", AccessForbidden, "WSAEACCES", TextResource{Kind: vpnport.TCP, Port: 50000}},
	{"Go Linux", "listen tcp :80: bind: permission denied", "go-listen-forbidden", AccessForbidden, "EACCES", TextResource{Kind: vpnport.TCP, Port: 80}},
	{"Node", "Error: listen EADDRINUSE: address already in use :::3000", "node-listen", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 3000, Address: "::"}},
	{"Node 8", "Error: listen EADDRINUSE 127.0.0.1:3000", "node-listen", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 3000, Address: "127.0.0.1"}},
	{"Node dgram", "Error: bind EADDRINUSE 0.0.0.0:41234", "node-bind", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.UDP, Port: 41234, Address: "0.0.0.0"}},
	{"Node", "Error: listen EACCES: permission denied 0.0.0.0:80", "node-eacces", AccessForbidden, "EACCES",
		TextResource{Kind: vpnport.TCP, Port: 80, Address: "0.0.0.0", AnyProto: true}},
	{"uvicorn", "ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use", "uvicorn-bind",
		AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.TCP, Port: 8000, Address: "0.0.0.0"}},
	{"Flask/werkzeug", "Port 5000 is in use by another program. Either identify and stop that program, or start the server with a different port.",
		"werkzeug-port-in-use", AddressInUse, "EADDRINUSE", TextResource{Kind: vpnport.TCP, Port: 5000}},
	{"Python", "OSError: [Errno 98] Address already in use", "python-errno", AddressInUse, "EADDRINUSE", TextResource{}},
	{"Python macOS", "OSError: [Errno 48] Address already in use", "python-errno", AddressInUse, "EADDRINUSE", TextResource{}},
	{"Python Windows", "OSError: [WinError 10048] Only one usage of each socket address (protocol/network address/port) is normally permitted",
		"python-winerror", AddressInUse, "WSAEADDRINUSE", TextResource{}},
	{"Python Windows", "PermissionError: [WinError 10013] An attempt was made to access a socket in a way forbidden by its access permissions",
		"python-winerror-10013", AccessForbidden, "WSAEACCES", TextResource{}},
	{"nginx", "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)", "nginx-bind", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 80, Address: "0.0.0.0", AnyProto: true}},
	{"nginx IPv6", "2024/03/02 10:11:12 [emerg] 1234#1234: bind() to [::]:443 failed (98: Address already in use)", "nginx-bind", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 443, Address: "::", AnyProto: true}},
	{"nginx Windows", "nginx: [emerg] bind() to 0.0.0.0:80 failed (10013: An attempt was made to access a socket in a way forbidden by its access permissions)",
		"nginx-forbidden", AccessForbidden, "WSAEACCES", TextResource{Kind: vpnport.TCP, Port: 80, Address: "0.0.0.0", AnyProto: true}},
	{"Windows", "Only one usage of each socket address (protocol/network address/port) is normally permitted.", "windows-only-one-usage",
		AddressInUse, "WSAEADDRINUSE", TextResource{}},
	{"Windows socket", "WSAEACCES", "wsaeacces", AccessForbidden, "WSAEACCES", TextResource{}},
	{"Java", "java.net.BindException: Address already in use (Bind failed) on port 9000", "eaddrinuse", AddressInUse, "EADDRINUSE",
		TextResource{Kind: vpnport.TCP, Port: 9000, AnyProto: true}},
	{"postgres", "LOG:  could not bind IPv4 address \"127.0.0.1\": Address already in use", "eaddrinuse", AddressInUse, "EADDRINUSE", TextResource{}},
	{"libuv", "Error: EADDRINUSE", "eaddrinuse", AddressInUse, "EADDRINUSE", TextResource{}},
	// tray
	{"fyne systray", "systray error: failed to register: The name org.kde.StatusNotifierWatcher was not provided by any .service files",
		"sni-not-provided", TrayHostMissing, "NO_STATUS_NOTIFIER_WATCHER", TextResource{}},
	{"libappindicator", "StatusNotifierWatcher not available, falling back to XEmbed", "sni-missing", TrayHostMissing, "NO_STATUS_NOTIFIER_WATCHER", TextResource{}},
	// Serial texts that name no device (issue 24): the configured devices
	// are checked; a path elsewhere in the paste is taken.
	{"serial tool", "Device file is locked by another process", "serial-locked-nodev", DeviceInUse, "UUCP_LOCK", TextResource{}},
	{"serial tool", "ERROR: cannot open serial port: Resource temporarily unavailable", "serial-eagain", DeviceInUse, "EWOULDBLOCK", TextResource{}},
	{"cu", "cu: Line in use", "cu-line-in-use-nodev", DeviceInUse, "UUCP_LOCK", TextResource{}},
	{"cu with path later", "cu: Line in use\n$ cu -l /dev/ttyUSB1 -s 115200", "cu-line-in-use-nodev", DeviceInUse, "UUCP_LOCK",
		TextResource{Kind: vpnport.Device, Path: "/dev/ttyUSB1"}},
	// socat 1.7.4 as an unprivileged user, captured by TestRealSocatForbidden.
	{"socat", "2026/12/07 13:40:55 socat[15379] E bind(5, {AF=2 0.0.0.0:80}, 16): Permission denied", "bind-forbidden", AccessForbidden, "EACCES",
		TextResource{Kind: vpnport.TCP, Port: 80, Address: "0.0.0.0", AnyProto: true}},
	// A Windows program that prints the error's name or number only.
	{"Windows program", "bind failed: error 10048 (WSAEADDRINUSE)", "wsaeaddrinuse", AddressInUse, "WSAEADDRINUSE", TextResource{}},
	// strongSwan 5.9.8 (Debian 12), captured by TestExplainSecondCharon: a second charon while one runs.
	{"charon", `00[DMN] charon already running ('/var/run/charon.pid' exists)`, "charon-already-running", AddressInUse, "ALREADY_RUNNING", TextResource{}},
}

func TestCatalogueRealMessages(t *testing.T) {
	for _, c := range catCases {
		t.Run(c.program+"/"+c.entry, func(t *testing.T) {
			m := Explain(c.text)
			if !m.Matched || m.Entry != c.entry || m.Family != c.family || m.Code != c.code || m.Resource != c.res {
				t.Errorf("Explain(%q)\n got  entry=%s family=%s code=%s res=%+v\n want entry=%s family=%s code=%s res=%+v",
					c.text, m.Entry, m.Family, m.Code, m.Resource, c.entry, c.family, c.code, c.res)
			}
			if m.Explanation == "" {
				t.Errorf("no explanation for %s", c.entry)
			}
		})
	}
}

// Every catalogue row must be proven by at least one real message.
func TestCatalogueEveryEntryHasARealMessage(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range catCases {
		seen[c.entry] = true
	}
	ids := map[string]bool{}
	for _, e := range catalogue() {
		if ids[e.id] {
			t.Errorf("duplicate entry id %q", e.id)
		}
		ids[e.id] = true
		if !seen[e.id] {
			t.Errorf("entry %q has no real message in catCases", e.id)
		}
		if catFamilyText[e.family] == "" {
			t.Errorf("entry %q: family %q has no explanation", e.id, e.family)
		}
		if e.code == "" {
			t.Errorf("entry %q has no code", e.id)
		}
	}
	for _, f := range Families {
		found := false
		for _, e := range catalogue() {
			found = found || e.family == f
		}
		if !found {
			t.Errorf("family %q has no catalogue entry", f)
		}
	}
}

// A hint that no message of the entry contains would silently disable it.
func TestCatalogueHintsAreConsistent(t *testing.T) {
	for _, c := range catCases {
		for i, cat := 0, catalogue(); i < len(cat); i++ {
			e := &cat[i]
			if e.id == c.entry && !e.hinted(lowerASCII(c.text)) {
				t.Errorf("entry %q: hints %q miss its own message %q", e.id, e.hints, c.text)
			}
		}
	}
}

func TestCatalogueUnrecognised(t *testing.T) {
	for _, s := range []string{"", "   \n\n", "connection refused", "Error 6330: something", "ssh: connect to host example port 22: Connection timed out",
		"the address 127.0.0.1:8080 is fine", "port 8080 is open"} {
		if m := Explain(s); m.Matched {
			t.Errorf("Explain(%q) matched %s (%s); want no match", s, m.Entry, m.Family)
		}
	}
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
