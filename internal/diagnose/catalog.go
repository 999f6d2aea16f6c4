package diagnose

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// catEntry is one recognisable error shape. The catalogue is data: adding a
// program's message is adding a row (and its real message to catalog_test.go).
type catEntry struct {
	// id is stable and unique; tests and debug logs name entries by it.
	id     string
	family Family
	// code is the OS error name the message stands for; winCode, when set,
	// replaces it if the line carries a Windows error number or name.
	code    string
	winCode string
	// privCode replaces code for a port below 1024: there "Permission
	// denied" is the Unix privileged-port rule, not a Windows reservation.
	privCode string
	// kind is the resource kind when the message names a port or path.
	kind vpnport.Kind
	// protoFixed: the entry itself says tcp or udp (Go's "listen udp",
	// Node's "bind" for dgram); do not infer it from other words.
	protoFixed bool
	// rank orders entries when several lines match: a message that names
	// the program and the resource beats a bare "Address already in use".
	rank int
	// hints are lowercase substrings one of which the line must contain
	// before the regexp runs: a cheap filter for long pasted logs.
	hints []string
	// re may have named groups: hostport, addr, port, path, name, proto.
	re *regexp.Regexp
	// note is added to the family's explanation.
	note string
	// program is the program family that prints this text (see
	// ProgramPorts); "" when many programs do.
	program string
	// port is the port the message is about when it never prints one
	// (dnsmasq's DHCP server is always udp/67).
	port uint16
	// remote: the port is on the other end of the connection (ssh -R).
	remote bool
	// own: the note replaces the family's text, which would be wrong here
	// (Docker's allocator holds no socket; ssh -R's port is not local).
	own bool
	// second: the text says its program was started while a copy already
	// runs ("charon already running"), so a holder of its ports of the
	// same program is that first copy (see SecondCopy).
	second bool
}

func (e *catEntry) hinted(lower string) bool {
	for _, h := range e.hints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return len(e.hints) == 0
}

// catWinRE spots a Windows socket error in a line whose wording is Unix-like
// (OpenVPN and Windows OpenSSH print strerror text with the WSA number).
// Localized Windows texts count too: Go and .NET print FormatMessage's text
// in the system's language, with no number.
var catWinRE = sync.OnceValue(func() *regexp.Regexp {
	// Case folding only where it is cheap: the localized texts are matched
	// as Windows writes them.
	return regexp.MustCompile(`(?i:\b(?:WSAEADDRINUSE|WSAEACCES|10048|10013)\b|only one usage of each socket address|access a socket in a way forbidden)|` + catInUseLocalized)
})

// catWinHints are substrings (of the lower-cased line) without which
// catWinRE cannot match: a cheap test first, as codeFor runs on every
// explained text.
var catWinHints = append([]string{"10048", "10013", "wsaeaddrinuse", "wsaeacces", "only one usage", "access a socket"}, catInUseLocalizedHints...)

func catWinLine(line string) bool {
	lower := strings.ToLower(line)
	for _, h := range catWinHints {
		if strings.Contains(lower, h) {
			return catWinRE().MatchString(line)
		}
	}
	return false
}

func (e *catEntry) codeFor(line string, r TextResource) string {
	if e.winCode != "" && catWinLine(line) {
		return e.winCode
	}
	if e.privCode != "" && r.Port != 0 && r.Port < 1024 {
		return e.privCode
	}
	return e.code
}

// explanation is the family's text and the entry's note. A refused bind on
// a port of 1024 or above is not about privileges on Linux and macOS, so the
// text then says what it is instead of blaming the port number.
// A note's "PORT" becomes the port the text names, so the commands it
// gives can be copied as they are.
func (e *catEntry) explanation(r TextResource) string {
	s := catFamilyText[e.family]
	if e.family == AccessForbidden && r.Port >= 1024 {
		s = catForbiddenHigh
	}
	note := strings.ReplaceAll(e.note, "LISTCMD", listCmd(goos))
	if r.Port != 0 {
		note = strings.ReplaceAll(note, "PORT", strconv.Itoa(int(r.Port)))
	}
	switch {
	case e.own:
		s = note
	case note != "":
		s += " " + note
	}
	return s
}

// listCmd is the command that lists who holds which port on os, for
// notes that send the user to look: advice true for the OS explain runs on.
func listCmd(os string) string {
	switch os {
	case "windows":
		return "check with `netstat -ano`, or `traycheck check PORT`"
	case "darwin":
		return "check with `traycheck check PORT` or `sudo lsof -nP -i`"
	}
	return "check with `traycheck check PORT` or `sudo ss -tulpn`"
}

const catForbiddenHigh = "The OS refused the bind itself, not because someone listens there: " +
	"on Windows the port usually lies in a range reserved by Hyper-V/WinNAT (netsh int ipv4 show excludedportrange); " +
	"on Linux and macOS a port of 1024 or above needs no privileges, so a security policy (SELinux, AppArmor, a sandbox) refused it."

var catFamilyText = map[Family]string{
	AddressInUse: "Another socket already holds this local port (address already in use). " +
		"Usually a second program or a leftover instance (an old ssh -L forward, a second VPN client) is listening on it; " +
		"right after a connection died it can also be TIME_WAIT, which clears by itself within a minute or two.",
	PortAlreadyOpen: "Windows Remote Access says the port (modem or VPN device) is already open: " +
		"another connection or program has it, or a dropped connection (often after sleep) left it marked open.",
	DeviceInUse: "The modem, serial or VPN device is in use by another program (or still marked busy after a crash or sleep), " +
		"so it cannot be opened a second time.",
	AccessForbidden: "The OS refused the bind itself, not because someone listens there: " +
		"on Windows the port usually lies in a range reserved by Hyper-V/WinNAT (netsh int ipv4 show excludedportrange); " +
		"on Linux and macOS ports below 1024 need privileges.",
	AdapterInUse: "Every virtual network adapter of this kind is taken: another VPN connection (or a leftover of a crashed one) " +
		"holds the TAP/wintun/ovpn-dco/WireGuard adapter.",
	TrayHostMissing: "The desktop has no tray host (StatusNotifierWatcher), so tray icons cannot show. " +
		"Enable the panel's system tray or status notifier plugin (on GNOME, an AppIndicator extension); traycheck still works from the terminal.",
	DialFailed: "Windows Remote Access could not complete this connection for a reason that is not a port or device another program holds here: " +
		"the server, the network between, the credentials or this computer's connection settings.",
}

// Address fragments. catHostPort matches "[127.0.0.1]:8080", "[::1]:8080",
// ":::3000", "0.0.0.0:80", ":8080", "localhost:8080",
// "[AF_INET][undef]:1194", "[AF_INET6]::1:1194". Bounded repeats keep every
// regexp's work per line small.
const (
	catHostPort = `(?P<hostport>(?:\[AF_INET6?\])?(?:\[[^\]\s]{0,64}\]|[\w.:*%-]{0,253})?:\d{1,5})`
	catDevPath  = `(?P<path>/dev/[\w./+-]{1,64}|COM\d{1,3}|\\\\\.\\COM\d{1,3})`
	catInUse    = `(?:[Aa]ddress already in use|Only one usage of each socket address[^.]{0,80}\.?)`
	catForbid   = `(?:[Pp]ermission denied|An attempt was made to access a socket in a way forbidden by its access permissions\.?)`
	catRASError = `(?i)\b(?:error|error code[^\d\n]{0,40}?|remote access error)\s*:?\s*`
	// catInUseLocalized is WSAEADDRINUSE (10048) as Windows words it in
	// German, French, Spanish, Portuguese, Italian, Japanese, Chinese and
	// Russian: the distinctive part of each, as captured in
	// testdata/explain_wsa10048_*.txt (sources named there).
	catInUseLocalized = `(?:jede Socketadresse|chaque adresse de socket|cada dirección de socket|cada endereço de soquete|ogni indirizzo di socket|各ソケット アドレス|每个套接字地址|использование адреса сокета)`
)

// catAnyDevPath is catDevPath plus any absolute path, for texts whose
// own words say it is the device (minicom's "Device X is locked.", cu's
// "cu: X: Line in use"): a udev-style link may live anywhere.
const catAnyDevPath = `(?P<path>/[\w./+:@-]{1,256}|COM\d{1,3}|\\\\\.\\COM\d{1,3})`

// catInUseLocalizedHints are catInUseLocalized's alternatives in lower case,
// the hints of the entries built on it.
var catInUseLocalizedHints = []string{"jede socketadresse", "chaque adresse de socket", "cada dirección de socket",
	"cada endereço de soquete", "ogni indirizzo di socket", "各ソケット アドレス", "每个套接字地址", "использование адреса сокета"}

func catRE(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// catRASName takes RAS error names from the raserror.h table (raserrors.go), the one
// source of RAS codes, so the catalogue and the report agree.
func catRASName(code int) string {
	e, ok := LookupRASError(code)
	if !ok {
		panic("diagnose: RAS error " + strconv.Itoa(code) + " missing from RASErrors")
	}
	return e.Name
}

// catalogue is the one table of error shapes, compiled on first use so
// commands that never explain pay nothing at start-up. Ranks: 90 names the program and
// the resource; 50-80 names one of them; 10-40 is a bare OS message.
var catalogue = sync.OnceValue(func() []catEntry {
	return slices.Concat(serialCatalogue(), catCore(), catDaemons(), catWindows(), catRASCodes())
})

// catCore is the first table: OpenSSH, OpenVPN, runtimes and servers, RAS
// 602/633, serial tools, adapters and the tray host.
func catCore() []catEntry {
	return []catEntry{
		// --- address-in-use
		{id: "openssh-bind", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 90, program: ProgSSH,
			hints: []string{"bind"}, re: catRE(`\bbind:? (?P<hostport>\[[^\]\s]{1,64}\]:\d{1,5}): ` + catInUse),
			note: "This is ssh's local forward (-L): another program, often an older ssh, already listens on the local port."},
		{id: "openssh-cannot-listen", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 70, program: ProgSSH,
			hints: []string{"cannot listen"}, re: catRE(`channel_setup_fwd_listener_tcpip: cannot listen to port: (?P<port>\d{1,5})`),
			note: "This is ssh's local forward (-L): another program, often an older ssh, already listens on the local port."},
		{id: "openssh-could-not-request", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 20, program: ProgSSH,
			hints: []string{"could not request local forwarding"}, re: catRE(`Could not request local forwarding`),
			note: "ssh could not open its local forward (-L), almost always because the local port is taken."},
		{id: "openvpn-management", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 92, program: ProgOpenVPN,
			hints: []string{"management"}, re: catRE(`MANAGEMENT: Socket bind failed on local address ` + catHostPort + `: ` + catInUse),
			note: "It is OpenVPN's management interface (tcp): another OpenVPN or GUI already uses that management port."},
		{id: "openvpn-bind", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", kind: vpnport.UDP, rank: 88, program: ProgOpenVPN,
			hints: []string{"socket bind failed"}, re: catRE(`Socket bind failed on local address ` + catHostPort + `: ` + catInUse),
			note: "OpenVPN could not bind its local port (lport): another OpenVPN instance usually holds it; `nobind` in a client config avoids the need. " +
				"Its \"TCP/UDP:\" prefix does not say which protocol, so both are checked unless the text shows `proto`."},
		{id: "go-listen", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", protoFixed: true, rank: 85,
			hints: []string{"listen"}, re: catRE(`(?i)\blisten (?P<proto>tcp|udp)[46]? ` + catHostPort + `: bind: ` + `(?:address already in use|only one usage of each socket address|.{0,80}?(?-i:` + catInUseLocalized + `))`)},
		{id: "node-listen", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 85,
			hints: []string{"eaddrinuse"}, re: catRE(`\blisten EADDRINUSE(?:: address already in use)? ` + catHostPort)},
		{id: "node-bind", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 85,
			hints: []string{"eaddrinuse"}, re: catRE(`\bbind EADDRINUSE(?:: address already in use)? ` + catHostPort)},
		{id: "nginx-bind", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", kind: vpnport.TCP, rank: 85,
			hints: []string{"bind()"}, re: catRE(`bind\(\) to ` + catHostPort + ` failed \((?:98|48|10048): ` + catInUse)},
		{id: "uvicorn-bind", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 85,
			hints: []string{"while attempting to bind"}, re: catRE(`\[Errno (?:98|48|10048)\] error while attempting to bind on address \('(?P<addr>[^']{0,64})', (?P<port>\d{1,5})(?:, \d{1,10}, \d{1,10})?\)`)},
		{id: "werkzeug-port-in-use", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.TCP, protoFixed: true, rank: 70,
			hints: []string{"in use by another program"}, re: catRE(`\bPort (?P<port>\d{1,5}) is in use by another program`)},
		{id: "python-errno", family: AddressInUse, code: "EADDRINUSE", rank: 40,
			hints: []string{"errno"}, re: catRE(`\[Errno (?:98|48)\] Address already in use`)},
		{id: "python-winerror", family: AddressInUse, code: "WSAEADDRINUSE", rank: 40,
			hints: []string{"winerror"}, re: catRE(`\[WinError 10048\]`)},
		{id: "wireguard-rtnetlink", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 30, program: ProgWireGuard,
			hints: []string{"rtnetlink"}, re: catRE(`RTNETLINK answers: Address already in use`),
			note: "With WireGuard (wg-quick) this means the interface's ListenPort (udp) is taken, often by another tunnel with the same ListenPort."},
		{id: "wireguard-setconf", family: AddressInUse, code: "EADDRINUSE", kind: vpnport.UDP, protoFixed: true, rank: 30, program: ProgWireGuard,
			hints: []string{"unable to modify interface"}, re: catRE(`Unable to modify interface: Address already in use`),
			note: "WireGuard could not bind its ListenPort (udp): another tunnel or program holds it."},
		{id: "wsaeaddrinuse", family: AddressInUse, code: "WSAEADDRINUSE", rank: 14,
			hints: []string{"wsaeaddrinuse", "10048"}, re: catRE(`\bWSAEADDRINUSE\b|(?i:\b(?:error|errno|code|socket error)\s?[:#=]?\s?10048\b)`)},
		{id: "windows-only-one-usage", family: AddressInUse, code: "WSAEADDRINUSE", rank: 15,
			hints: []string{"only one usage"}, re: catRE(`(?i)only one usage of each socket address`)},
		{id: "eaddrinuse", family: AddressInUse, code: "EADDRINUSE", winCode: "WSAEADDRINUSE", rank: 10,
			hints: []string{"in use", "eaddrinuse"}, re: catRE(`(?i)\bEADDRINUSE\b|address already in use`)},

		// --- port-already-open (RAS 602)
		{id: "ras-602", family: PortAlreadyOpen, code: catRASName(602), rank: 80, program: ProgRAS,
			hints: []string{"602"}, re: catRE(catRASError + `602\b`)},
		{id: "ras-602-text", family: PortAlreadyOpen, code: catRASName(602), rank: 60, program: ProgRAS,
			hints: []string{"port is already open"}, re: catRE(`(?i)the (?:specified )?port is already open`)},

		// --- device-in-use
		{id: "ras-633", family: DeviceInUse, code: catRASName(633), rank: 80, program: ProgRAS,
			hints: []string{"633"}, re: catRE(catRASError + `633\b`),
			note: "For RAS error 633 a common cause is another program claiming the VPN's port or device (LISTCMD); a dropped connection after sleep is another."},
		{id: "ras-633-text", family: DeviceInUse, code: catRASName(633), rank: 60, program: ProgRAS,
			hints: []string{"not configured properly"}, re: catRE(`(?i)is already in use or is not configured properly`)},
		{id: "pyserial-busy", family: DeviceInUse, code: "EBUSY", kind: vpnport.Device, rank: 85,
			hints: []string{"could not open port"}, re: catRE(`could not open port '?` + catDevPath + `'?: \[Errno 16\]`)},
		{id: "pyserial-windows", family: DeviceInUse, code: "ERROR_ACCESS_DENIED", kind: vpnport.Device, rank: 85,
			hints: []string{"could not open port"}, re: catRE(`could not open port '?` + catDevPath + `'?: PermissionError\(13, 'Access is denied`),
			note: "On Windows \"Access is denied\" on a COM port means another program has it open."},
		{id: "avrdude-busy", family: DeviceInUse, code: "EBUSY", kind: vpnport.Device, rank: 85,
			hints: []string{"ser_open"}, re: catRE(`ser_open\(\): can't open device "` + catDevPath + `": Device or resource busy`)},
		{id: "minicom-busy", family: DeviceInUse, code: "EBUSY", kind: vpnport.Device, rank: 85,
			hints: []string{"minicom"}, re: catRE(`minicom: cannot open ` + catDevPath + `: Device or resource busy`)},
		{id: "arduino-port-busy", family: DeviceInUse, code: "EBUSY", kind: vpnport.Device, rank: 85,
			hints: []string{"port busy"}, re: catRE(`(?i)error opening serial port '` + catDevPath + `'\.? \(port busy\)`)},
		{id: "ebusy-path", family: DeviceInUse, code: "EBUSY", kind: vpnport.Device, rank: 50,
			hints: []string{"resource busy"}, re: catRE(`Device or resource busy:? '?"?` + catDevPath + `|` + `(?P<path2>/dev/[\w./+-]{1,64})'?"?: Device or resource busy`)},
		{id: "ebusy", family: DeviceInUse, code: "EBUSY", rank: 10,
			hints: []string{"resource busy", "ebusy", "port busy"}, re: catRE(`(?i)device or resource busy|\bEBUSY\b|\bport busy\b`)},

		// --- access-forbidden
		{id: "openssh-bind-denied", family: AccessForbidden, code: "WSAEACCES", privCode: "EACCES", kind: vpnport.TCP, protoFixed: true, rank: 90,
			hints: []string{"bind"}, re: catRE(`\bbind:? (?P<hostport>\[[^\]\s]{1,64}\]:\d{1,5}): ` + catForbid),
			note: "ssh's local forward (-L) was refused the local port."},
		{id: "go-listen-forbidden", family: AccessForbidden, code: "EACCES", winCode: "WSAEACCES", protoFixed: true, rank: 85,
			hints: []string{"listen"}, re: catRE(`(?i)\blisten (?P<proto>tcp|udp)[46]? ` + catHostPort + `: bind: (?:permission denied|an attempt was made to access a socket)`)},
		{id: "node-eacces", family: AccessForbidden, code: "EACCES", kind: vpnport.TCP, rank: 85,
			hints: []string{"eacces"}, re: catRE(`\b(?:listen|bind) EACCES(?:: permission denied)? ` + catHostPort)},
		{id: "nginx-forbidden", family: AccessForbidden, code: "EACCES", winCode: "WSAEACCES", kind: vpnport.TCP, rank: 85,
			hints: []string{"bind()"}, re: catRE(`bind\(\) to ` + catHostPort + ` failed \((?:13|10013): ` + catForbid)},
		{id: "python-winerror-10013", family: AccessForbidden, code: "WSAEACCES", rank: 40,
			hints: []string{"winerror"}, re: catRE(`\[WinError 10013\]`)},
		{id: "wsaeacces", family: AccessForbidden, code: "WSAEACCES", rank: 15,
			hints: []string{"wsaeacces", "access permissions"}, re: catRE(`(?i)\bWSAEACCES\b|access a socket in a way forbidden by its access permissions`)},

		// Any program's refused bind, worded as strerror or errno: the
		// port comes from the general extractor.
		{id: "bind-forbidden", family: AccessForbidden, code: "EACCES", winCode: "WSAEACCES", rank: 9,
			hints: []string{"permission denied", "eacces"},
			re:    catRE(`(?i)\b(?:bind|listen)\w{0,3}\b.{0,120}?(?:permission denied|\beacces\b)|(?:permission denied|\beacces\b).{0,120}?\b(?:bind|listen)`)},

		// --- adapter-in-use
		{id: "openvpn-all-adapters", family: AdapterInUse, code: "ALL_ADAPTERS_IN_USE", kind: AdapterKind, rank: 80,
			hints: []string{"adapters on this system"}, re: catRE(`(?i)All (?P<name>TAP-Windows|TAP-Win32|wintun|ovpn-dco|[\w-]{1,32}) adapters on this system are currently in use`),
			note: "Disconnect the other OpenVPN connection, or add an adapter (OpenVPN's tapctl create) so each connection has its own."},
		{id: "wireguard-create-adapter", family: AdapterInUse, code: "ADAPTER_CREATE_FAILED", kind: AdapterKind, rank: 60,
			hints: []string{"unable to create"}, re: catRE(`(?:\[(?P<name>[\w.-]{1,64})\] )?Unable to create (?:network|Wintun) adapter`),
			note: "WireGuard could not create its tunnel adapter: a tunnel of the same name is still up, or a crashed tunnel left the adapter behind."},

		// --- tray-host-missing
		{id: "sni-not-provided", family: TrayHostMissing, code: "NO_STATUS_NOTIFIER_WATCHER", rank: 80,
			hints: []string{"statusnotifierwatcher"}, re: catRE(`org\.kde\.StatusNotifierWatcher was not provided by any \.service files`)},
		{id: "sni-missing", family: TrayHostMissing, code: "NO_STATUS_NOTIFIER_WATCHER", rank: 40,
			hints: []string{"statusnotifierwatcher"}, re: catRE(`(?i)StatusNotifierWatcher.{0,40}?(?:not provided|not available|not running|no such|does not exist|unknown)`)},
	}
}
