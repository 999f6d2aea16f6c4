package discover

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/portnum"
)

// ovpnProfile is what an OpenVPN profile says about the local side.
type ovpnProfile struct {
	client, server  bool
	proto           string // as written: udp, udp4, tcp, tcp-client, tcp-server, ...
	port, lport     int    // 0: not given
	nobind          bool
	management      int // tcp port of the management interface; 0: none or a unix socket
	dev             string
	remoteProtoOnly string // proto of the first remote line, when it names one
}

// parseOpenVPN reads an OpenVPN profile (.conf or .ovpn) alone, its
// `config` directives not followed.
func parseOpenVPN(r io.Reader) (ovpnProfile, error) {
	o := &ovpnReader{}
	err := o.parse(r, "profile", 0)
	return o.p, err
}

// ovpnReader reads an OpenVPN profile: one directive per line, "#" or ";"
// comments, inline blocks such as <ca>...</ca> skipped and <connection>
// blocks read like the top level. A `config FILE` directive is read in
// place (relative to the profile's directory), nested at most as deep as
// OpenVPN allows, each file once, within the discovery's budget.
type ovpnReader struct {
	b       *budget // nil: `config` directives are not followed
	p       ovpnProfile
	skipped skips
}

func (o *ovpnReader) parse(r io.Reader, path string, depth int) error {
	lr := newLineReader(r)
	inline := ""
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		line = strings.TrimSpace(line)
		if inline != "" {
			if strings.EqualFold(line, "</"+inline+">") {
				inline = ""
			}
			continue
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "<") && strings.HasSuffix(line, ">") && !strings.HasPrefix(line, "</") {
			tag := strings.ToLower(strings.Trim(line, "<>"))
			if tag != "connection" {
				inline = tag
			}
			continue
		}
		f := strings.Fields(line)
		// "--port 1194" is accepted too: profiles are sometimes written as
		// the command line they came from.
		key := strings.ToLower(strings.TrimPrefix(f[0], "--"))
		arg := func(i int) string {
			if i < len(f) {
				return f[i]
			}
			return ""
		}
		p := &o.p
		switch key {
		case "client":
			p.client = true
		case "server", "server-bridge", "mode":
			if key != "mode" || strings.EqualFold(arg(1), "server") {
				p.server = true
			}
		case "tls-client":
			p.client = true
		case "proto":
			p.proto = strings.ToLower(arg(1))
		case "port":
			p.port = ovpnPort(arg(1))
		case "lport":
			p.lport = ovpnPort(arg(1))
		case "nobind":
			p.nobind = true
		case "management":
			// "management IP PORT" or "management /path unix".
			p.management = ovpnPort(arg(2))
		case "dev":
			p.dev = arg(1)
		case "remote":
			if p.remoteProtoOnly == "" && arg(3) != "" {
				p.remoteProtoOnly = strings.ToLower(arg(3))
			}
		case "config":
			o.include(arg(1), path, at(path, lr.n), depth)
		}
	}
	o.skipped.longLines(path, lr)
	return lr.err
}

// include reads the file a `config` directive names, in place.
func (o *ovpnReader) include(name, from, where string, depth int) {
	if o.b == nil || name == "" {
		return
	}
	if depth+1 >= maxOVPNNest { // the profile itself is OpenVPN's first level
		o.skipped.add(where, fmt.Sprintf("config %s nested deeper than %d (OpenVPN's own limit): not read", name, maxOVPNNest))
		return
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(filepath.Dir(from), name)
	}
	b, err := o.b.read(name)
	if err != nil {
		o.skipped.add(where, "config "+name+": "+why(err))
		return
	}
	if err := o.parse(bytes.NewReader(b), name, depth+1); err != nil {
		o.skipped.add(where, "config "+name+": "+why(err))
	}
}

// ovpnPort reads a port as OpenVPN's directives write it; 0 when it is
// none (absent, "unix", 0 or not a number).
func ovpnPort(s string) int {
	n, err := portnum.Parse(s)
	if err != nil {
		return 0
	}
	return int(n)
}

// found turns a profile into what it needs on this machine.
func (p ovpnProfile) found(source string) Found {
	f := Found{Source: source, Kind: KindOpenVPN, Name: stem(source), Clients: []string{"openvpn"}}
	proto := p.proto
	if proto == "" {
		proto = p.remoteProtoOnly
	}
	if proto == "" {
		proto = "udp"
	}
	local := p.lport
	if local == 0 {
		local = p.port
	}
	if local == 0 {
		local = 1194
	}
	tcp := strings.HasPrefix(proto, "tcp")
	switch {
	case tcp && (proto == "tcp-server" || (p.server && !p.client)):
		f.addPort("tcp", local)
	case tcp:
		// A TCP client connects out from a random local port.
		f.addNote("TCP client: binds no fixed local port")
	case p.nobind && !p.server:
		f.addNote("nobind: the client uses a random local port")
	default:
		f.addPort("udp", local)
	}
	if p.management > 0 {
		f.addPort("tcp", p.management)
		f.addNote("tcp/" + strconv.Itoa(p.management) + " is its management interface")
	}
	// "dev tun" lets OpenVPN pick tunN; only a numbered name is an adapter
	// traycheck can reset.
	if d := p.dev; d != "" && d != "tun" && d != "tap" && d != "null" {
		f.Adapter = d
	}
	return f
}

func openVPNFiles(b *budget, root string, exts ...string) []Found {
	var out []Found
	paths, walkSkips := findFiles(root, exts...)
	for i, path := range paths {
		data, err := b.read(path)
		if errors.Is(err, errBudget) {
			sk := skips{}
			sk.add(path, why(err))
			if rest := len(paths) - i - 1; rest > 0 {
				sk.add(root, fmt.Sprintf("%d more profiles not read: the discovery's budget is spent", rest))
			}
			walkSkips = append(walkSkips, sk.result()...)
			break
		}
		if errors.Is(err, errAlreadyRead) {
			continue // the same profile under another name, or read through a `config` directive
		}
		if err != nil {
			out = append(out, Found{Source: path, Kind: KindOpenVPN, Name: stem(path), Clients: []string{"openvpn"}, Note: unreadableNote(err)})
			continue
		}
		o := &ovpnReader{b: b}
		if err := o.parse(bytes.NewReader(data), path, 0); err != nil {
			out = append(out, Found{Source: path, Kind: KindOpenVPN, Name: stem(path), Note: "could not be parsed: " + err.Error()})
			continue
		}
		f := o.p.found(path)
		f.Skipped = o.skipped.result()
		out = append(out, f)
	}
	if len(walkSkips) > 0 {
		out = append(out, Found{Source: root, Kind: KindOpenVPN, Name: "OpenVPN profiles in " + root, Skipped: walkSkips})
	}
	return out
}
