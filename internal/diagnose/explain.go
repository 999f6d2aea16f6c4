package diagnose

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Family is the stable id of a kind of error text `traycheck explain`
// recognises. The string values are part of the JSON contract; never rename
// them.
type Family string

// The families.
const (
	AddressInUse    Family = "address-in-use"
	PortAlreadyOpen Family = "port-already-open"
	DeviceInUse     Family = "device-in-use"
	AccessForbidden Family = "access-forbidden"
	AdapterInUse    Family = "adapter-in-use"
	TrayHostMissing Family = "tray-host-missing"
)

// DialFailed is a Windows Remote Access error that is not a local port or
// device conflict (the server, the network, credentials, broken WAN
// Miniports): users paste these beside 602 and 633, and deserve to hear
// that no local holder is to blame.
const DialFailed Family = "dial-failed"

// Families lists every family id, for validation and documentation.
var Families = []Family{AddressInUse, PortAlreadyOpen, DeviceInUse, AccessForbidden, AdapterInUse, TrayHostMissing, DialFailed}

// AdapterKind is the TextResource kind of a network adapter (TAP, wintun,
// ovpn-dco, a WireGuard tunnel). It is not probeable as a port or device.
const AdapterKind vpnport.Kind = "adapter"

// Bounds on the text Explain reads. RE2 already matches in time linear in
// the input; these caps keep that linear term small for a pasted log.
const (
	// MaxExplainBytes is how much of the text is read; the rest is ignored.
	MaxExplainBytes = 64 << 10
	// MaxExplainLine is how much of each line is matched; error messages
	// are short, and a longer line is almost always a dump.
	MaxExplainLine = 2048
)

// TextResource is the resource an error text names, as far as the text says.
// Fields the text does not give are zero. Its JSON form carries only the
// fields of its kind (see MarshalJSON), as `check --json` does.
type TextResource struct {
	// Kind is tcp, udp, device or adapter; empty when the text names none.
	Kind vpnport.Kind
	Port uint16
	// Address is the local address the program tried to bind, as written
	// ("127.0.0.1", "::1", "::"); empty for "any" or unknown.
	Address string
	// Path is the device path (/dev/ttyUSB0, COM3) or, for an adapter, its
	// name or driver (TAP-Windows, wg0).
	Path string
	// AnyProto says the text names a port but not whether it is tcp or udp
	// (OpenVPN's "TCP/UDP:", socat, nginx): Kind is the program's usual
	// protocol, and both are checked.
	AnyProto bool
	// Remote says the port is on the other end of a connection (ssh -R
	// binds it on the server), so a check here would prove nothing.
	Remote bool
}

// MarshalJSON gives each kind only its fields: a port has kind, port and
// address (plus any_protocol and remote when set), a device or adapter has
// kind and path.
func (r TextResource) MarshalJSON() ([]byte, error) {
	switch r.Kind {
	case vpnport.TCP, vpnport.UDP:
		return json.Marshal(struct {
			Kind     vpnport.Kind `json:"kind"`
			Port     uint16       `json:"port"`
			Address  string       `json:"address"`
			AnyProto bool         `json:"any_protocol,omitzero"`
			Remote   bool         `json:"remote,omitzero"`
		}{r.Kind, r.Port, r.Address, r.AnyProto, r.Remote})
	case vpnport.Device, AdapterKind:
		return json.Marshal(struct {
			Kind vpnport.Kind `json:"kind"`
			Path string       `json:"path"`
		}{r.Kind, r.Path})
	}
	return json.Marshal(struct {
		Kind vpnport.Kind `json:"kind"`
	}{r.Kind})
}

// Target returns the resource to probe, and false when the text names no
// port or device that can be checked live here.
func (r TextResource) Target() (vpnport.Resource, bool) {
	switch {
	case (r.Kind == vpnport.TCP || r.Kind == vpnport.UDP) && r.Port != 0 && !r.Remote:
		return vpnport.Resource{Kind: r.Kind, Port: r.Port}, true
	case r.Kind == vpnport.Device && r.Path != "":
		return vpnport.Resource{Kind: vpnport.Device, Path: r.Path}, true
	}
	return vpnport.Resource{}, false
}

// Targets is every resource to probe: Target, and the same port in the
// other protocol when the text does not say which (AnyProto).
func (r TextResource) Targets() []vpnport.Resource {
	t, ok := r.Target()
	if !ok {
		return nil
	}
	if !r.AnyProto || t.Kind == vpnport.Device {
		return []vpnport.Resource{t}
	}
	o := t
	o.Kind = vpnport.TCP
	if t.Kind == vpnport.TCP {
		o.Kind = vpnport.UDP
	}
	return []vpnport.Resource{t, o}
}

// Match is what Explain made of a text.
type Match struct {
	Matched bool   `json:"matched"`
	Family  Family `json:"family"`
	// Code is the OS error name (EADDRINUSE, WSAEACCES, ERROR_PORT_NOT_AVAILABLE, ...).
	Code        string       `json:"code"`
	Resource    TextResource `json:"resource"`
	Explanation string       `json:"explanation"`
	// Program is the program family that printed the text (openvpn,
	// charon, ssh, ...), when the text or its catalogue entry says; a text
	// that names no port is checked on that program's ports only.
	Program string `json:"program,omitzero"`
	// Also are the other ports the text mentions, besides the one the error
	// is about (decided by nearness to the error's line): shown, never
	// checked, so a long paste cannot send the check elsewhere unseen.
	Also []TextResource `json:"also_mentioned,omitzero"`
	// Paths are absolute paths the text names outside /dev, for a device
	// family whose text names no device node: the caller may take one that
	// resolves to a character device (a udev-style link elsewhere).
	Paths []string `json:"-"`
	// SecondStart says the text itself reports a second start of its
	// program ("charon already running"): whoever of that program holds
	// its ports is the first copy.
	SecondStart bool `json:"-"`
	// Entry is the catalogue entry that matched (for tests and debug logs).
	Entry string `json:"-"`
	// Line is the line of the text that matched, trimmed.
	Line string `json:"-"`
}

// Explain recognises an error message (one or several lines, such as a
// pasted log) and says which family it belongs to and which resource it
// names. When several lines match, the most specific catalogue entry wins and
// other lines of the same family fill in what it lacks (the port from ssh's
// "cannot listen to port: N" when "Could not request local forwarding" won).
// Only the first MaxExplainBytes are read, each line up to MaxExplainLine.
func Explain(text string) Match {
	if len(text) > MaxExplainBytes {
		text = text[:MaxExplainBytes]
	}
	var hits []expHit
	var lines []string
	lineNo := 0
	for rest := text; rest != ""; lineNo++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		if len(line) > MaxExplainLine {
			line = line[:MaxExplainLine]
		}
		lines = append(lines, line)
		if line == "" {
			continue
		}
		lower := strings.ToLower(line)
		for i, cat := 0, catalogue(); i < len(cat); i++ {
			e := &cat[i]
			if !e.hinted(lower) {
				continue
			}
			m := e.re.FindStringSubmatchIndex(line)
			if m == nil {
				continue
			}
			hits = append(hits, expHit{entry: e, line: line, lineNo: lineNo, off: m[0], res: e.extract(line, m)})
		}
	}
	if len(hits) == 0 {
		return Match{}
	}
	best := 0
	for i := 1; i < len(hits); i++ {
		if hits[i].better(hits[best]) {
			best = i
		}
	}
	h := hits[best]
	res := h.res
	for _, o := range hits {
		if o.entry.family == h.entry.family {
			res = expFill(res, o.res)
		}
	}
	prog := expProgram(h, hits, text)
	var also []TextResource
	var paths []string
	switch h.entry.family {
	case AddressInUse, AccessForbidden:
		res, also = expPorts(h, hits, lines, res, prog, text)
	case DeviceInUse, PortAlreadyOpen:
		if res.Path == "" {
			res, paths = expDevice(lines, res)
		}
	}
	if res.Kind == "" && (res.Port != 0 || res.Path != "") {
		res.Kind = h.entry.kind
	}
	return Match{
		Matched:     true,
		Family:      h.entry.family,
		Code:        h.entry.codeFor(h.line, res),
		Resource:    res,
		Explanation: h.entry.explanation(res),
		Program:     prog,
		Also:        also,
		Paths:       paths,
		SecondStart: h.entry.second,
		Entry:       h.entry.id,
		Line:        h.line,
	}
}

type expHit struct {
	entry  *catEntry
	line   string
	lineNo int
	off    int // where the match starts in line
	res    TextResource
}

// better orders hits: the more specific entry, then the one that names a
// resource, then the earlier line (the first error usually causes the rest).
func (h expHit) better(o expHit) bool {
	if h.entry.rank != o.entry.rank {
		return h.entry.rank > o.entry.rank
	}
	_, ht := h.res.Target()
	_, ot := o.res.Target()
	if ht != ot {
		return ht
	}
	return h.lineNo < o.lineNo
}

func expFill(r, o TextResource) TextResource {
	if r.Port == 0 && o.Port != 0 {
		r.Port = o.Port
		r.Remote = o.Remote // ssh -R's port stays on the server
		if r.Address == "" {
			r.Address = o.Address
		}
	}
	if r.Path == "" {
		r.Path = o.Path
	}
	if r.Kind == "" {
		r.Kind = o.Kind
	}
	return r
}

// extract builds the resource from the entry's named groups: hostport
// ("[::1]:8080", ":::3000", "[AF_INET][undef]:1194"), port, path, name, proto.
func (e *catEntry) extract(line string, m []int) TextResource {
	var r TextResource
	for i, name := range e.re.SubexpNames() {
		if name == "" || m[2*i] < 0 {
			continue
		}
		v := line[m[2*i]:m[2*i+1]]
		// Alternatives that capture the same thing use name2, name3...
		switch strings.TrimRight(name, "0123456789") {
		case "hostport":
			r.Address, r.Port = expSplitHostPort(v)
		case "addr":
			r.Address, _ = expSplitHostPort("[" + v + "]:1")
		case "port":
			r.Port = expPort(v)
		case "path", "name":
			r.Path = v
		case "proto":
			if strings.HasPrefix(strings.ToLower(v), "udp") {
				r.Kind = vpnport.UDP
			} else {
				r.Kind = vpnport.TCP
			}
		}
	}
	if r.Port == 0 && e.port != 0 {
		r.Port = e.port
	}
	r.Remote = e.remote && r.Port != 0
	if r.Kind == "" && (r.Port != 0 || r.Path != "" || e.kind == AdapterKind) {
		r.Kind = e.kind
	}
	return r
}

// expSplitHostPort splits the address forms programs print. The port is the
// digits after the last colon; the host is what precedes it, without
// brackets, OpenVPN's [AF_INET]/[AF_INET6] tag or its [undef] (any address).
func expSplitHostPort(s string) (string, uint16) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0
	}
	host, port := s[:i], expPort(s[i+1:])
	if port == 0 {
		return "", 0
	}
	v6 := strings.HasPrefix(host, "[AF_INET6]")
	host = strings.TrimPrefix(strings.TrimPrefix(host, "[AF_INET6]"), "[AF_INET]")
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	switch host {
	case "undef", "*", "":
		if v6 {
			return "::", port
		}
		return "", port
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.String(), port
	}
	return host, port
}

func expPort(s string) uint16 {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0
	}
	return uint16(n)
}
