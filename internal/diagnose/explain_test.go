package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// TestExplainFixtures runs captured multi-line outputs (testdata/explain_*.txt).
// The first line of each file says what Explain must return:
// "# want entry=... family=... code=... kind=... port=... address=... path=...
// any=... remote=... program=...". Lines after it that start with "# source:"
// say where the text comes from and are not part of it.
func TestExplainFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/explain_*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			head, body, _ := strings.Cut(string(b), "\n")
			for strings.HasPrefix(body, "# source:") {
				_, body, _ = strings.Cut(body, "\n")
			}
			want := map[string]string{}
			for _, kv := range strings.Fields(strings.TrimPrefix(strings.TrimSpace(head), "# want")) {
				k, v, _ := strings.Cut(kv, "=")
				want[k] = v
			}
			m := Explain(body)
			got := map[string]string{
				"entry": m.Entry, "family": string(m.Family), "code": m.Code, "kind": string(m.Resource.Kind),
				"port": strconv.Itoa(int(m.Resource.Port)), "address": m.Resource.Address, "path": m.Resource.Path,
				"any": strconv.FormatBool(m.Resource.AnyProto), "remote": strconv.FormatBool(m.Resource.Remote), "program": m.Program,
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (match %+v)", k, got[k], v, m)
				}
			}
		})
	}
}

func TestExplainSplitHostPort(t *testing.T) {
	for _, c := range []struct {
		in   string
		addr string
		port uint16
	}{
		{"[127.0.0.1]:8080", "127.0.0.1", 8080},
		{"[::1]:8080", "::1", 8080},
		{":::3000", "::", 3000},
		{":8080", "", 8080},
		{"0.0.0.0:80", "0.0.0.0", 80},
		{"[::]:443", "::", 443},
		{"[AF_INET][undef]:1194", "", 1194},
		{"[AF_INET6][undef]:1194", "::", 1194},
		{"[AF_INET]10.0.0.1:1194", "10.0.0.1", 1194},
		{"localhost:8080", "localhost", 8080},
		{"*:8080", "", 8080},
		{"[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 80},
		{"host:0", "", 0},
		{"host:70000", "", 0},
		{"nocolon", "", 0},
	} {
		addr, port := expSplitHostPort(c.in)
		if addr != c.addr || port != c.port {
			t.Errorf("expSplitHostPort(%q) = %q, %d; want %q, %d", c.in, addr, port, c.addr, c.port)
		}
	}
}

func TestExplainProtocolWords(t *testing.T) {
	for _, c := range []struct {
		text string
		want vpnport.Kind
	}{
		// OpenVPN's "TCP/UDP:" prefix says nothing; its default is udp.
		{"TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)", vpnport.UDP},
		{"proto tcp-server\nTCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)", vpnport.TCP},
		// Java names no protocol: tcp, unless the text says udp.
		{"java.net.BindException: Address already in use (Bind failed) on port 9000", vpnport.TCP},
		{"DatagramSocket udp: java.net.BindException: Address already in use (Bind failed) on port 9000", vpnport.UDP},
		{"wireguard: Address already in use on port 51820", vpnport.UDP},
		// Issue 24: a VPN's and a socket API's words for the protocol.
		{"DTLS: could not bind to 0.0.0.0:443: Address already in use", vpnport.UDP},
		{"datagram socket: could not bind [::]:4433 (Address already in use)", vpnport.UDP},
		{"stream socket: could not bind [::]:4433 (Address already in use)", vpnport.TCP},
		{"SOCK_DGRAM bind 0.0.0.0:9000 failed: EADDRINUSE", vpnport.UDP},
		// The program's one protocol: xl2tpd and WireGuard are udp only.
		{"Dec  7 10:00:00 gw xl2tpd[12]: bind 0.0.0.0:1701: Address already in use", vpnport.UDP},
		// The token's own: udp/500 beats the text's other words.
		{"tcp listener ok\nudp/500: Address already in use", vpnport.UDP},
		// Go's "listen tcp" is explicit whatever else the text says.
		{"udp tunnel\nlisten tcp :8080: bind: address already in use", vpnport.TCP},
	} {
		m := Explain(c.text)
		if m.Resource.Kind != c.want {
			t.Errorf("Explain(%q).Resource.Kind = %q, want %q", c.text, m.Resource.Kind, c.want)
		}
	}
}

func TestExplainMostSpecificWins(t *testing.T) {
	// A bare "Address already in use" line before the specific one must
	// not hide the port the specific one names.
	text := "OSError: [Errno 98] Address already in use\nnginx: [emerg] bind() to 0.0.0.0:8081 failed (98: Address already in use)\n"
	m := Explain(text)
	if m.Entry != "nginx-bind" || m.Resource.Port != 8081 {
		t.Fatalf("got %s port %d, want nginx-bind port 8081", m.Entry, m.Resource.Port)
	}
}

func TestExplainFillsFromSameFamily(t *testing.T) {
	// The winner names no port; a weaker line of the same family does, and
	// a line of another family must not lend its resource.
	text := "Could not request local forwarding.\n" +
		"minicom: cannot open /dev/ttyUSB0: Device or resource busy\n" +
		"java.net.BindException: Address already in use (Bind failed) on port 8080\n"
	m := Explain(text)
	want := TextResource{Kind: vpnport.TCP, Port: 8080}
	if m.Entry != "minicom-busy" {
		t.Fatalf("winner %s, want minicom-busy (rank 85)", m.Entry)
	}
	m = Explain(text[:strings.Index(text, "minicom")] + text[strings.Index(text, "java"):])
	if m.Entry != "openssh-could-not-request" || m.Resource != want {
		t.Fatalf("got %s %+v, want openssh-could-not-request %+v", m.Entry, m.Resource, want)
	}
}

func TestExplainBoundsInput(t *testing.T) {
	// Past MaxExplainBytes nothing is read, and a line is only matched in
	// its first MaxExplainLine bytes.
	late := strings.Repeat("x\n", MaxExplainBytes) + "bind [127.0.0.1]:8080: Address already in use\n"
	if m := Explain(late); m.Matched {
		t.Errorf("matched text beyond MaxExplainBytes: %s", m.Entry)
	}
	long := strings.Repeat("y", MaxExplainLine) + " Address already in use"
	if m := Explain(long); m.Matched {
		t.Errorf("matched beyond MaxExplainLine: %s", m.Entry)
	}
}

func TestTextResourceTarget(t *testing.T) {
	for _, c := range []struct {
		r    TextResource
		want vpnport.Resource
		ok   bool
	}{
		{TextResource{Kind: vpnport.TCP, Port: 8080, Address: "::1"}, vpnport.Resource{Kind: vpnport.TCP, Port: 8080}, true},
		{TextResource{Kind: vpnport.UDP, Port: 1194}, vpnport.Resource{Kind: vpnport.UDP, Port: 1194}, true},
		{TextResource{Kind: vpnport.Device, Path: "COM3"}, vpnport.Resource{Kind: vpnport.Device, Path: "COM3"}, true},
		{TextResource{Kind: vpnport.TCP}, vpnport.Resource{}, false},
		{TextResource{Kind: AdapterKind, Path: "TAP-Windows"}, vpnport.Resource{}, false},
		{TextResource{}, vpnport.Resource{}, false},
	} {
		got, ok := c.r.Target()
		if got != c.want || ok != c.ok {
			t.Errorf("%+v.Target() = %v, %v; want %v, %v", c.r, got, ok, c.want, c.ok)
		}
	}
}

func FuzzExplain(f *testing.F) {
	for _, c := range catCases {
		f.Add(c.text)
	}
	files, _ := filepath.Glob("testdata/explain_*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Explain(s)
		if !m.Matched {
			if !reflect.DeepEqual(m, Match{}) {
				t.Fatalf("unmatched but not zero: %+v", m)
			}
			return
		}
		if m.Family == "" || m.Code == "" || m.Explanation == "" {
			t.Fatalf("matched without family/code/explanation: %+v", m)
		}
		if m.Resource.Port != 0 && m.Resource.Kind != vpnport.TCP && m.Resource.Kind != vpnport.UDP {
			t.Fatalf("port without tcp/udp kind: %+v", m.Resource)
		}
		if len(m.Line) > MaxExplainLine {
			t.Fatalf("line longer than the cap: %d", len(m.Line))
		}
	})
}

// BenchmarkExplainLog is a pasted 64 KiB log with the error at the end: the
// worst realistic input, every line run against the whole catalogue.
func BenchmarkExplainLog(b *testing.B) {
	line := "2024-03-02 10:11:12 Data Channel: using negotiated cipher 'AES-256-GCM' on port 1194 via udp\n"
	text := strings.Repeat(line, (MaxExplainBytes-200)/len(line)) +
		"TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)\n"
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if m := Explain(text); m.Entry != "openvpn-bind" {
			b.Fatalf("got %s", m.Entry)
		}
	}
}

// BenchmarkExplainLine is the common case: one pasted line.
func BenchmarkExplainLine(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if m := Explain("bind [127.0.0.1]:8080: Address already in use"); !m.Matched {
			b.Fatal("no match")
		}
	}
}

// BenchmarkExplainHostile is a line built to make a backtracking engine
// explode (long runs of the characters the address patterns repeat); RE2
// stays linear.
func BenchmarkExplainHostile(b *testing.B) {
	text := "bind [" + strings.Repeat(":", MaxExplainLine/2) + "Address already in use " + strings.Repeat("1:", MaxExplainLine/4)
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Explain(text)
	}
}

// "Permission denied" on a high port is not about privileges on Unix: the
// explanation must not say it is.
func TestForbiddenExplanationFollowsThePort(t *testing.T) {
	high := Explain("bind [127.0.0.1]:8080: Permission denied")
	low := Explain("bind [127.0.0.1]:80: Permission denied")
	if high.Family != AccessForbidden || low.Family != AccessForbidden {
		t.Fatalf("families: %s, %s", high.Family, low.Family)
	}
	if strings.Contains(high.Explanation, "below 1024 need privileges") || !strings.Contains(high.Explanation, "needs no privileges") {
		t.Errorf("port 8080: %q", high.Explanation)
	}
	if !strings.Contains(low.Explanation, "below 1024 need privileges") {
		t.Errorf("port 80: %q", low.Explanation)
	}
}

// Each kind carries only its own fields in JSON, as check --json does: a
// device has no port or address, a port no path.
func TestTextResourceJSON(t *testing.T) {
	for _, c := range []struct {
		r    TextResource
		want string
	}{
		{TextResource{Kind: vpnport.Device, Path: "/dev/ttyUSB0"}, `{"kind":"device","path":"/dev/ttyUSB0"}`},
		{TextResource{Kind: AdapterKind, Path: "TAP-Windows"}, `{"kind":"adapter","path":"TAP-Windows"}`},
		{TextResource{Kind: vpnport.TCP, Port: 8080, Address: "127.0.0.1"}, `{"kind":"tcp","port":8080,"address":"127.0.0.1"}`},
		{TextResource{Kind: vpnport.UDP, Port: 1194}, `{"kind":"udp","port":1194,"address":""}`},
		{TextResource{Kind: vpnport.UDP, Port: 1194, AnyProto: true}, `{"kind":"udp","port":1194,"address":"","any_protocol":true}`},
		{TextResource{Kind: vpnport.TCP, Port: 9001, Remote: true}, `{"kind":"tcp","port":9001,"address":"","remote":true}`},
	} {
		b, err := json.Marshal(c.r)
		if err != nil || string(b) != c.want {
			t.Errorf("json.Marshal(%+v) = %s, %v; want %s", c.r, b, err, c.want)
		}
	}
}

// A port whose protocol the text does not say is checked as both; a remote
// one (ssh -R) not at all.
func TestTextResourceTargets(t *testing.T) {
	both := TextResource{Kind: vpnport.UDP, Port: 1194, AnyProto: true}.Targets()
	if len(both) != 2 || both[0] != (vpnport.Resource{Kind: vpnport.UDP, Port: 1194}) || both[1] != (vpnport.Resource{Kind: vpnport.TCP, Port: 1194}) {
		t.Errorf("any-protocol targets = %v, want udp/1194 then tcp/1194", both)
	}
	if one := (TextResource{Kind: vpnport.TCP, Port: 8080}).Targets(); len(one) != 1 || one[0].Kind != vpnport.TCP {
		t.Errorf("tcp targets = %v", one)
	}
	if r := (TextResource{Kind: vpnport.TCP, Port: 9001, Remote: true}).Targets(); r != nil {
		t.Errorf("remote port is checked here: %v", r)
	}
}

// OpenVPN's real "TCP/UDP:" line names no protocol: both are checked. With
// the config's proto in the pasted text it is that one alone.
func TestExplainOpenVPNProtocolUnsaid(t *testing.T) {
	m := Explain("2026-11-25 17:16:07 TCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)")
	if !m.Resource.AnyProto || m.Program != ProgOpenVPN {
		t.Errorf("resource %+v program %q; want any protocol, openvpn", m.Resource, m.Program)
	}
	m = Explain("proto udp\nTCP/UDP: Socket bind failed on local address [AF_INET][undef]:1194: Address already in use (errno=98)")
	if m.Resource.AnyProto || m.Resource.Kind != vpnport.UDP {
		t.Errorf("with proto udp: %+v", m.Resource)
	}
}

// The program comes from the entry, or from a syslog prefix when a bare
// message won.
func TestExplainProgram(t *testing.T) {
	for text, want := range map[string]string{
		"00[NET] unable to bind socket: Address already in use":                                              ProgCharon,
		"Nov 25 10:00:00 gw xl2tpd[99]: init_network: Unable to bind socket: Address already in use.":        ProgXL2TPD,
		"Nov 25 10:00:00 gw dnsmasq[7]: failed to create listening socket for ::1: Address already in use":   ProgDnsmasq,
		"Nov 25 10:00:00 gw openvpn[12]: Address already in use":                                             ProgOpenVPN,
		"OSError: [Errno 98] Address already in use":                                                         "",
		"Error 633: The modem (or other connecting device) is already in use or is not configured properly.": ProgRAS,
	} {
		if m := Explain(text); m.Program != want {
			t.Errorf("Explain(%q).Program = %q, want %q", text, m.Program, want)
		}
	}
	if len(ProgramPorts(ProgCharon)) != 2 || ProgramPorts("python") != nil {
		t.Errorf("ProgramPorts: charon %v, python %v", ProgramPorts(ProgCharon), ProgramPorts("python"))
	}
}

// Issue 24: an ssh command pasted with the error names the local port in
// its -L spec; the spec's far side (and -R's) is no local port.
func TestExplainSSHSpecSides(t *testing.T) {
	for _, c := range []struct {
		text string
		port uint16
		addr string
	}{
		{"$ ssh -N -L 8080:localhost:5432 db\nCould not request local forwarding.", 8080, ""},
		{"$ ssh -L 127.0.0.1:8081:db.internal:5432 jump\nCould not request local forwarding.", 8081, "127.0.0.1"},
		{"$ ssh -R 9000:localhost:22 host\nCould not request local forwarding.", 0, ""},
	} {
		m := Explain(c.text)
		if m.Resource.Port != c.port || m.Resource.Address != c.addr {
			t.Errorf("Explain(%q): port %d on %q, want %d on %q", c.text, m.Resource.Port, m.Resource.Address, c.port, c.addr)
		}
		for _, a := range m.Also {
			if a.Port == 5432 || a.Port == 22 {
				t.Errorf("Explain(%q) mentions the far side %d", c.text, a.Port)
			}
		}
	}
}
