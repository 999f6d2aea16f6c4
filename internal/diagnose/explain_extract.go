package diagnose

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// expPorts completes an address-family match with the general extractor:
// the port when the catalogue row did not read one (decided by nearness to
// the error's lines), the protocol, and the other ports the text mentions.
func expPorts(h expHit, hits []expHit, lines []string, res TextResource, prog, text string) (TextResource, []TextResource) {
	var errs []errPos
	for _, o := range hits {
		if o.entry.family == h.entry.family {
			errs = append(errs, errPos{o.lineNo, o.off})
		}
	}
	toks := extractPorts(lines, errs)
	var tokKind vpnport.Kind
	var others []portToken
	switch {
	case res.Port == 0 && !h.entry.remote:
		t, rest, ok := pickPort(toks, errs)
		if !ok {
			return res, nil
		}
		res.Port, tokKind, others = t.port, t.kind, rest
		if res.Address == "" {
			res.Address = t.addr
		}
	case res.Port != 0:
		others = otherPorts(toks, res.Port)
		for _, t := range toks {
			if t.port == res.Port && t.kind != "" && tokKind == "" {
				tokKind = t.kind
			}
		}
	default:
		return res, nil
	}
	res.Kind, res.AnyProto = expKind(h, res.Kind, tokKind, prog, text)
	var also []TextResource
	for _, t := range others {
		a := TextResource{Kind: t.kind, Port: t.port, Address: t.addr}
		if a.Kind == "" {
			a.Kind, a.AnyProto = res.Kind, res.AnyProto
		}
		also = append(also, a)
	}
	return res, also
}

// expKind decides tcp or udp and whether the text said it: a row that
// fixes it; the token's own protocol (udp/500, "listen tcp :80"); a
// protocol word of the error line, then of the text (tcp, udp, DTLS,
// datagram, stream); the program's one protocol (xl2tpd and WireGuard are
// udp only). Otherwise the row's or the program's usual protocol, and both
// are checked (unsaid).
func expKind(h expHit, kind, tokKind vpnport.Kind, prog, text string) (vpnport.Kind, bool) {
	if kind == "" {
		kind = h.entry.kind
	}
	if h.entry.protoFixed && kind != "" {
		return kind, false
	}
	if tokKind != "" {
		return tokKind, false
	}
	if k, ok := expProtoWord(h.line, text); ok {
		return k, false
	}
	pk := programKinds(prog)
	if len(pk) == 1 {
		return pk[0], false
	}
	switch {
	case kind != "":
	case len(pk) > 0:
		kind = pk[0]
	default:
		kind = vpnport.TCP
	}
	return kind, true
}

// expProtoWordRE finds a protocol word: tcp, udp and their spellings in
// socket APIs and VPNs (DTLS and WireGuard are datagrams).
var expProtoWordRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(?:proto\s+)?(udp|tcp|dgram|sock_dgram|datagram|dtls|sock_stream|stream|wireguard|wg-quick)(?:v?[46])?(?:_server|_client|-server|-client)?\b`)
})

// expProtoWord is the first protocol word on the error line, else in the
// whole text. OpenVPN's "TCP/UDP" prefix says nothing and is skipped.
func expProtoWord(line, text string) (vpnport.Kind, bool) {
	for _, s := range []string{line, text} {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "TCP/UDP", ""), "tcp/udp", "")
		if m := expProtoWordRE().FindStringSubmatch(s); m != nil {
			switch w := strings.ToLower(m[1]); w {
			case "tcp", "stream", "sock_stream":
				return vpnport.TCP, true
			default:
				return vpnport.UDP, true
			}
		}
	}
	return "", false
}

// programKinds is the protocols of a program's usual ports, once each.
func programKinds(prog string) []vpnport.Kind {
	var ks []vpnport.Kind
	for _, r := range programPorts[prog] {
		if !slices.Contains(ks, r.Kind) {
			ks = append(ks, r.Kind)
		}
	}
	return ks
}

// expDevRE finds device paths anywhere on a line: /dev nodes and COM
// ports, and (as candidates for the caller to resolve) other absolute
// paths, which a udev-style link outside /dev may be.
var expDevRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[\s'"(=:,\[])(/[\w.+:@/-]{1,256})|\b(COM\d{1,3})\b`)
})

// notDevices are /dev entries that are never the device a program fought
// over (a pasted log redirects to /dev/null).
var notDevices = []string{"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/console"}

// expDevice completes a device-family match that names no device on its
// matching line: the first /dev node or COM port anywhere in the text, and
// the other absolute paths as candidates (lock files excluded).
func expDevice(lines []string, res TextResource) (TextResource, []string) {
	var paths []string
	for _, line := range lines {
		if !strings.ContainsAny(line, "/M") {
			continue
		}
		for _, m := range expDevRE().FindAllStringSubmatch(line, 16) {
			p := strings.TrimRight(m[1], ".:,")
			switch {
			case m[2] != "" && res.Path == "":
				res.Path = m[2]
			case p == "" || slices.Contains(notDevices, p) || strings.HasPrefix(p, "/dev/shm/"):
			case strings.HasPrefix(p, "/dev/"):
				if res.Path == "" {
					res.Path = p
				}
			case strings.Contains(p, "/LCK.") || strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/sys/"):
			default:
				if !slices.Contains(paths, p) {
					paths = append(paths, p)
				}
			}
		}
	}
	if res.Path != "" {
		res.Kind = vpnport.Device
	}
	return res, paths
}
