package diagnose

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/traycheck/traycheck/internal/portnum"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// The generator combines what varies between programs that print an
// address-in-use error: the log prefix, how the address is written, how
// the error is worded (in the languages the catalogue knows), and where the
// line breaks fall. Every combination must name the port the text printed.

type genCase struct {
	text string
	port uint16
	addr string
	// kind is the protocol the text says; "" means it does not, so both
	// are checked (AnyProto).
	kind vpnport.Kind
	// also is a port mentioned farther from the error, 0 when none.
	also   uint16
	family Family
}

var genPrefixes = []struct {
	s    string
	kind vpnport.Kind // the program's one protocol, when the prefix names it
}{
	{"", ""},
	{"2026-12-07T12:59:32.123Z ", ""},
	{"Dec  7 12:59:32 host prog[1234]: ", ""},
	{"[ALERT] (1234) : ", ""},
	{"[ALERT]    340/125932 (1234) : ", ""},
	{"E1207 12:59:32.123456    1234 main.go:55] ", ""},
	{"E ", ""},
	{"[1234] ", ""},
	{"12:59:32 ERROR ", ""},
	{"<3>prog[77]: ", ""},
	{"Dec  7 12:59:32 host xl2tpd[1234]: ", vpnport.UDP},
}

var genForms = []struct {
	f    string // %d is the port
	addr string
	kind vpnport.Kind
}{
	{"0.0.0.0:%d", "0.0.0.0", ""},
	{"127.0.0.1:%d", "127.0.0.1", ""},
	{"[::]:%d", "::", ""},
	{"[::1]:%d", "::1", ""},
	{":::%d", "::", ""},
	{"*:%d", "", ""},
	{"[0.0.0.0:%d]", "0.0.0.0", ""},
	{"localhost:%d", "localhost", ""},
	{":%d", "", ""},
	{"port %d", "", ""},
	{"port '%d'", "", ""},
	{"port \"%d\"", "", ""},
	{"udp/%d", "", vpnport.UDP},
	{"%d/tcp", "", vpnport.TCP},
	{"('0.0.0.0', %d)", "0.0.0.0", ""},
}

type genErrno struct {
	s      string
	family Family
	// oneLine: the wording is only the error with "bind" on its line
	// (a bare "Permission denied" is any refused open).
	oneLine bool
}

// genErrnos are the ways the error is worded: strerror, errno names,
// Python's, Windows' in English and as Windows words it in other languages,
// and the refused bind's.
func genErrnos() []genErrno {
	var out []genErrno
	for _, s := range []string{
		"Address already in use",
		"address already in use",
		"EADDRINUSE",
		"bind: Address already in use",
		"[Errno 98] Address already in use",
		"error 10048 (WSAEADDRINUSE)",
		"Only one usage of each socket address (protocol/network address/port) is normally permitted.",
	} {
		out = append(out, genErrno{s, AddressInUse, false})
	}
	loc := strings.TrimSuffix(strings.TrimPrefix(catInUseLocalized, "(?:"), ")")
	for _, l := range strings.Split(loc, "|") {
		out = append(out, genErrno{"error: " + l, AddressInUse, false})
	}
	return append(out,
		genErrno{"Permission denied", AccessForbidden, true},
		genErrno{"EACCES: permission denied", AccessForbidden, true},
		genErrno{"An attempt was made to access a socket in a way forbidden by its access permissions.", AccessForbidden, false})
}

// genTemplates place the address (%A) and the error (%E) on one line or
// several; %P is the prefix of each line.
var genTemplates = []string{
	"%P%E: bind %A",
	"%Pcould not bind to %A: %E",
	"%P%E\n%Pfailed to bind to %A",
	"%Pfailed to bind to %A\n%P%E",
	"%P%E (bind %A)",
	"%PStarting\n%P%E\n%P  while binding to %A\n%Pexiting",
}

var genPorts = []uint16{1, 22, 80, 443, 500, 1194, 1701, 4500, 6379, 8080, 10000, 51820, 65535}

// genCases returns every combination; with distractor a port far from the
// error is mentioned too (two lines before it, on a line of its own).
func genCases() []genCase {
	var out []genCase
	errnos := genErrnos()
	n := 0
	for _, pre := range genPrefixes {
		for _, form := range genForms {
			for ei, e := range errnos {
				for ti, tpl := range genTemplates {
					if e.oneLine && strings.Contains(tpl, "\n") {
						continue
					}
					for _, eol := range []string{"\n", "\r\n"} {
						port := genPorts[n%len(genPorts)]
						n++
						a := fmt.Sprintf(form.f, port)
						text := strings.NewReplacer("%P", pre.s, "%E", e.s, "%A", a, "\n", eol).Replace(tpl)
						c := genCase{text: text, port: port, addr: form.addr, kind: form.kind, family: e.family}
						if c.kind == "" {
							c.kind = pre.kind
						}
						if (ei+ti)%3 == 0 {
							c.also = 9999
							if port == 9999 {
								c.also = 9998
							}
							c.text = fmt.Sprintf("%sadmin interface listening on 127.0.0.1:%d%s%sready%s", pre.s, c.also, eol, pre.s, eol) + c.text
						}
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

// genCheck says what is wrong with m for c, or "".
func genCheck(c genCase, m Match) string {
	r := m.Resource
	switch {
	case !m.Matched || m.Family != c.family:
		return fmt.Sprintf("not recognised as %s (family %q)", c.family, m.Family)
	case r.Port != c.port:
		return fmt.Sprintf("port %d, want %d", r.Port, c.port)
	case r.Address != c.addr:
		return fmt.Sprintf("address %q, want %q", r.Address, c.addr)
	case c.kind != "" && (r.Kind != c.kind || r.AnyProto):
		return fmt.Sprintf("kind %s (any %v), want %s said", r.Kind, r.AnyProto, c.kind)
	case c.kind == "" && !r.AnyProto:
		return fmt.Sprintf("kind %s said, but the text does not say tcp or udp", r.Kind)
	case c.also != 0 && !slices.ContainsFunc(m.Also, func(a TextResource) bool { return a.Port == c.also }):
		return fmt.Sprintf("also %v, want port %d among them", m.Also, c.also)
	case c.also == 0 && len(m.Also) > 0:
		return fmt.Sprintf("also %v, but the text mentions no other port", m.Also)
	}
	return ""
}

func TestExtractGenerated(t *testing.T) {
	cases := genCases()
	if len(cases) < 5000 {
		t.Fatalf("only %d generated cases", len(cases))
	}
	bad := 0
	for _, c := range cases {
		if why := genCheck(c, Explain(c.text)); why != "" {
			bad++
			if bad <= 20 {
				t.Errorf("%q: %s", c.text, why)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d generated texts wrong", bad, len(cases))
	}
	t.Logf("%d generated texts", len(cases))
}

// digitRuns are the whole numbers written in s that are ports.
var digitRunRE = regexp.MustCompile(`\d+`)

func portsIn(s string) []uint16 {
	var out []uint16
	for _, d := range digitRunRE.FindAllString(s, -1) {
		if p, err := portnum.Parse(d); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// fixedPort reports whether the catalogue entry id names its program's one
// port whatever the text says (dnsmasq's DHCP server is udp/67).
func fixedPort(id string) bool {
	for _, e := range catalogue() {
		if e.id == id {
			return e.port != 0
		}
	}
	return false
}

// FuzzExplainNamesOnlyItsPorts: whatever the text, every port explain names
// (the resource and the ones also mentioned) is written in the text.
func FuzzExplainNamesOnlyItsPorts(f *testing.F) {
	for i, c := range genCases() {
		if i%97 == 0 {
			f.Add(c.text)
		}
	}
	f.Add("Authenticated to bastion.example.org ([203.0.113.7]:22).\nCould not request local forwarding.")
	f.Add("server.go:55: listen tcp :0: bind: address already in use")
	f.Fuzz(func(t *testing.T, s string) {
		m := Explain(s)
		if !m.Matched {
			return
		}
		read := s
		if len(read) > MaxExplainBytes {
			read = read[:MaxExplainBytes]
		}
		in := portsIn(read)
		if p := m.Resource.Port; p != 0 && !slices.Contains(in, p) && !fixedPort(m.Entry) {
			t.Fatalf("named port %d, not in the text %q (entry %s)", p, s, m.Entry)
		}
		for _, a := range m.Also {
			if !slices.Contains(in, a.Port) || a.Port == m.Resource.Port {
				t.Fatalf("also mentioned port %d, not in the text or the resource itself: %q", a.Port, s)
			}
		}
	})
}

// BenchmarkExplainGenerated is matching alone (no live check) over 10,000
// generated texts: it reports the 99th percentile per text and the share
// whose resource was right (the goals: p99 under 1 ms, 100%). Run it with
// -benchtime=1x: one iteration is 30,000 matches.
func BenchmarkExplainGenerated(b *testing.B) {
	all := genCases()
	cases := make([]genCase, 0, 10000)
	for i := 0; len(cases) < 10000; i++ {
		cases = append(cases, all[(i*7919)%len(all)])
	}
	durs := make([]time.Duration, 0, len(cases)*b.N)
	right := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range cases {
			// The fastest of three runs: on a shared machine a single
			// run's time is mostly the scheduler's (a preempted
			// goroutine waits out another process's time slice).
			var m Match
			best := time.Duration(1 << 62)
			for range 3 {
				t0 := time.Now()
				m = Explain(c.text)
				best = min(best, time.Since(t0))
			}
			durs = append(durs, best)
			if genCheck(c, m) == "" {
				right++
			}
		}
	}
	b.StopTimer()
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds()), "p99-µs/text")
	b.ReportMetric(float64(durs[len(durs)/2].Microseconds()), "p50-µs/text")
	b.ReportMetric(100*float64(right)/float64(len(cases)*b.N), "%right")
}
