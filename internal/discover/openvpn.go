package discover

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
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

// parseOpenVPN reads an OpenVPN profile (.conf or .ovpn): one directive per
// line, "#" or ";" comments, inline blocks such as <ca>...</ca> skipped and
// <connection> blocks read like the top level.
func parseOpenVPN(r io.Reader) (ovpnProfile, error) {
	var p ovpnProfile
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxFileSize)
	inline := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
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
			p.port, _ = strconv.Atoi(arg(1))
		case "lport":
			p.lport, _ = strconv.Atoi(arg(1))
		case "nobind":
			p.nobind = true
		case "management":
			// "management IP PORT" or "management /path unix".
			if n, err := strconv.Atoi(arg(2)); err == nil && !strings.EqualFold(arg(2), "unix") {
				p.management = n
			}
		case "dev":
			p.dev = arg(1)
		case "remote":
			if p.remoteProtoOnly == "" && arg(3) != "" {
				p.remoteProtoOnly = strings.ToLower(arg(3))
			}
		}
	}
	return p, sc.Err()
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

func openVPNFiles(root string, exts ...string) []Found {
	var out []Found
	for _, path := range findFiles(root, exts...) {
		b, err := readSource(path)
		if err != nil {
			out = append(out, Found{Source: path, Kind: KindOpenVPN, Name: stem(path), Clients: []string{"openvpn"}, Note: unreadableNote(err)})
			continue
		}
		p, err := parseOpenVPN(bytes.NewReader(b))
		if err != nil {
			out = append(out, Found{Source: path, Kind: KindOpenVPN, Name: stem(path), Note: "could not be parsed: " + err.Error()})
			continue
		}
		out = append(out, p.found(path))
	}
	return out
}
