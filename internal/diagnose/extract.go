package diagnose

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/traycheck/traycheck/internal/portnum"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// The general resource extractor. A catalogue row recognises the error (its
// family, its code, its program); where the port is printed varies by
// program far more than the error does, so the port is read from every line
// of the text by the address forms programs print, not by one pattern per
// program. It never invents a port: every port it returns is digits that
// stand in the text, read by portnum.Parse.

// portToken is one port the text names.
type portToken struct {
	port uint16
	// addr is the local address written with it ("0.0.0.0", "::", "" for
	// any or none).
	addr string
	// kind is the protocol the token itself says (udp/500, 500/udp,
	// "listen tcp :80"), else "".
	kind vpnport.Kind
	// line and off locate the token: the line's index in the text and the
	// byte offset of its port in that line.
	line, off int
	// weak: a bare quoted number, a port only by its shape.
	weak bool
}

// extractRE is every address form, one alternative each, so one pass over a
// line finds them all leftmost-first. Groups: p* protocol, h* host, n* port.
// Hosts use unbounded repeats: bounded ones multiply the program's size
// (one alternative was 1,168 instructions), which forces the slower of
// Go's two matchers; the line itself is capped at MaxExplainLine.
// Compiled on first use, like every regexp of this package: compiled at
// init they cost every start of the binary about 4 ms, though only explain
// and the failure trigger match text.
var extractRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(strings.Join([]string{
		// udp/500, tcp6/80
		`\b(?P<p1>(?i:udp|tcp))[46]?/(?P<n1>\d{1,5})\b`,
		// 500/udp
		`\b(?P<n2>\d{1,5})/(?P<p2>(?i:udp|tcp))\b`,
		// [::1]:8080, [0.0.0.0]:80, [undef]:1194 (OpenVPN's any)
		`\[(?P<h3>[0-9A-Za-z:.%*_-]*)\]:(?P<n3>\d{1,5})\b`,
		// :::443 (IPv6 any, as ss and netstat print it)
		`(?P<h4>::):(?P<n4>\d{1,5})\b`,
		// *:6379
		`(?P<h5>\*):(?P<n5>\d{1,5})\b`,
		// 0.0.0.0:443, [0.0.0.0:443], "to 0.0.0.0:443:"
		`\b(?P<h6>(?:\d{1,3}\.){3}\d{1,3}):(?P<n6>\d{1,5})\b`,
		// localhost:8080, db.example.org:5432 (source files are filtered out)
		`\b(?P<h7>localhost|[A-Za-z][\w-]*(?:\.[\w-]+)+):(?P<n7>\d{1,5})\b`,
		// ":8080" after a bind/listen/socket word: Go's "listen tcp :8080"
		`(?i:\b(?P<w8>bind|bound|binding|listen|listening|listener|socket|serve|serving|on|to|at|address|addr|tcp[46]?|udp[46]?)\b)[:,]?\s{1,4}:(?P<n8>\d{1,5})\b`,
		// port 1701, port: 22, --port=1194, ListenPort = 51820, lport 1194, udp-port 443
		`(?i:\b(?P<w9>(?:l|udp-?|tcp-?|listen[-_ ]?)?port)s?\b)\s{0,3}(?:[=:#]|\bis\b|\bnumber\b)?\s{0,3}['"]?(?P<n9>\d{1,5})\b`,
		// Python's address tuple: ('0.0.0.0', 8000)
		`\(\s?['"](?P<h10>[^'"\s]*)['"],\s?(?P<n10>\d{1,5})\b`,
		// a quoted number: '2222', "8080"
		`['"](?P<n11>\d{1,5})['"]`,
		// ssh -L's local side: "-L 8080:db:5432", "-L 127.0.0.1:8080:db:5432"
		`(?:^|\s)-L\s?(?:(?P<h12>\[[^\]\s]+\]|[\w.*-]+):)?(?P<n12>\d{1,5}):`,
	}, "|"))
})

// extractGroups maps each group index of extractRE to its role and
// alternative, computed once.
var extractGroups = sync.OnceValue(func() []struct {
	role byte // 'p', 'h', 'n', 'w'
	alt  int
} {
	names := extractRE().SubexpNames()
	out := make([]struct {
		role byte
		alt  int
	}, len(names))
	for i, n := range names {
		if n == "" {
			continue
		}
		alt := 0
		for _, c := range n[1:] {
			alt = alt*10 + int(c-'0')
		}
		out[i].role, out[i].alt = n[0], alt
	}
	return out
})

// extractHints are the bytes or words without which a line holds no port
// token: a line without a colon, a slash, a quote or the word "port" is
// skipped without running the regexp.
func extractHinted(line string) bool {
	if strings.ContainsAny(line, ":/'\"") {
		return true
	}
	return strings.Contains(strings.ToLower(line), "port")
}

// srcExt are file name endings that make "name.ext:N" a source line
// (server.go:55, app.py:12), not a host and port.
var srcExt = []string{"go", "py", "c", "h", "cc", "cpp", "hpp", "rs", "js", "mjs", "ts", "java", "kt", "rb", "php", "pl", "pm",
	"sh", "lua", "cs", "swift", "scala", "ex", "exs", "erl", "log", "txt", "conf", "cfg", "ini", "yaml", "yml", "toml", "json", "xml", "service", "socket"}

// extractWindow is how many lines before and after an error line are
// read for ports: a pasted log of thousands of lines mentions ports far
// from the error that have nothing to do with it, and reading them all
// would cost more than matching the error itself.
const extractWindow = 64

// extractPorts returns the port tokens of lines within extractWindow lines
// of an error line (all lines when errs is empty), in text order.
func extractPorts(lines []string, errs []errPos) []portToken {
	var out []portToken
	for li, line := range lines {
		if line == "" || !extractHinted(line) || !nearError(li, errs) {
			continue
		}
		for _, m := range extractRE().FindAllStringSubmatchIndex(line, 16) {
			if remoteBefore(line[max(0, m[0]-48):m[0]]) || specBefore(line[:m[0]]) {
				continue
			}
			if t, ok := extractToken(line, m); ok {
				t.line = li
				out = append(out, t)
			}
		}
	}
	return out
}

// remoteRE is the words before an address that make it the far end of a
// connection ("Authenticated to host ([203.0.113.7]:22)", "connect to
// host x port 22", "from 10.0.0.2:5353", "peer", "->"): a port there is
// not the local port a bind failed on.
var remoteRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(?:connect(?:ed|ing|ion)?|authenticated|established|dial(?:ing|ed)?|reach(?:ed|ing)?|resolv(?:e|ed|ing)|login|log in)\b[^;]{0,48}$|\b(?:from|peer|remote|via|upstream|forward(?:ing|ed)? to|destination|dst)\b[^.;,]{0,20}$|(?:->|=>)\s{0,2}$`)
})

func remoteBefore(s string) bool { return s != "" && remoteRE().MatchString(s) }

// specBefore reports whether a token follows "N:" directly: the far side
// of an ssh forward spec ("8080:localhost:5432", "-R 9000:localhost:22").
func specBefore(s string) bool {
	if !strings.HasSuffix(s, ":") {
		return false
	}
	s = s[:len(s)-1]
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func nearError(li int, errs []errPos) bool {
	for _, e := range errs {
		if abs(li-e.line) <= extractWindow {
			return true
		}
	}
	return len(errs) == 0
}

// extractToken turns one match of extractRE into a token, or false when
// the match is no port (a source file's line number, a syslog PID).
func extractToken(line string, m []int) (portToken, bool) {
	var t portToken
	var host, word string
	hostSet := false
	alt := 0
	groups := extractGroups()
	for i := 1; i < len(groups); i++ {
		g := groups[i]
		if g.role == 0 || m[2*i] < 0 {
			continue
		}
		v := line[m[2*i]:m[2*i+1]]
		alt = g.alt
		switch g.role {
		case 'n':
			p, err := portnum.Parse(v)
			if err != nil {
				return t, false
			}
			t.port, t.off = p, m[2*i]
		case 'h':
			host, hostSet = v, true
		case 'p':
			t.kind = protoKind(v)
		case 'w':
			word = strings.ToLower(v)
		}
	}
	if t.port == 0 {
		return t, false
	}
	switch alt {
	case 3:
		// Brackets hold an address (or OpenVPN's "undef"), never a PID
		// or a log level.
		a, ok := extractHost(host)
		if !ok {
			return t, false
		}
		t.addr = a
	case 7:
		i := strings.LastIndexByte(host, '.')
		if i >= 0 && slices.Contains(srcExt, strings.ToLower(host[i+1:])) {
			return t, false
		}
		t.addr = host
	case 8:
		if strings.HasPrefix(word, "tcp") || strings.HasPrefix(word, "udp") {
			t.kind = protoKind(word)
		}
	case 9:
		switch {
		case strings.HasPrefix(word, "udp"):
			t.kind = vpnport.UDP
		case strings.HasPrefix(word, "tcp"):
			t.kind = vpnport.TCP
		}
		t.addr = extractOnAddr(line[m[1]:])
	case 11:
		t.weak = true
	case 12:
		t.kind = vpnport.TCP
		t.addr, _ = extractHost(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	default:
		if hostSet {
			t.addr, _ = extractHost(host)
		}
	}
	return t, true
}

// extractHost normalises a written host: "" for any ("*", "undef", "",
// "0.0.0.0" stays as written since it says IPv4), "::" for IPv6 any.
func extractHost(h string) (string, bool) {
	switch h {
	case "", "*", "undef":
		return "", true
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.String(), true
	}
	if h == "localhost" {
		return h, true
	}
	return "", false
}

// extractOnRE is sshd's "Bind to port 2222 on 0.0.0.0 failed": the address
// that follows a "port N".
var extractOnRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s{1,3}on\s{1,3}\[?([0-9A-Fa-f.:]{2,45})\]?`)
})

func extractOnAddr(rest string) string {
	if m := extractOnRE().FindStringSubmatch(rest); m != nil {
		if a, err := netip.ParseAddr(m[1]); err == nil {
			return a.String()
		}
	}
	return ""
}

func protoKind(s string) vpnport.Kind {
	if strings.HasPrefix(strings.ToLower(s), "udp") {
		return vpnport.UDP
	}
	return vpnport.TCP
}

// errPos is where the error itself stands: a catalogue hit's line and the
// offset of its match.
type errPos struct{ line, off int }

// pickPort decides which token the error is about: the one nearest to an
// error line (same line first, then the fewest lines away), a shaped
// address before a bare quoted number, then the nearest on the line, then
// the earlier. It returns the chosen token and the other ports, once each.
func pickPort(toks []portToken, errs []errPos) (portToken, []portToken, bool) {
	if len(toks) == 0 {
		return portToken{}, nil, false
	}
	dist := func(t portToken) (lines, chars int) {
		lines, chars = 1<<30, 1<<30
		for _, e := range errs {
			l := abs(t.line - e.line)
			c := abs(t.off - e.off)
			if l < lines || (l == lines && c < chars) {
				lines, chars = l, c
			}
		}
		return lines, chars
	}
	best := 0
	for i := 1; i < len(toks); i++ {
		li, ci := dist(toks[i])
		lb, cb := dist(toks[best])
		switch {
		case li != lb:
			if li < lb {
				best = i
			}
		case toks[i].weak != toks[best].weak:
			if !toks[i].weak {
				best = i
			}
		case ci < cb:
			best = i
		}
	}
	return toks[best], otherPorts(toks, toks[best].port), true
}

// otherPorts is each port of toks but skip, once, in text order.
func otherPorts(toks []portToken, skip uint16) []portToken {
	var out []portToken
	seen := map[uint16]bool{skip: true}
	for _, t := range toks {
		if !seen[t.port] {
			seen[t.port] = true
			out = append(out, t)
		}
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
