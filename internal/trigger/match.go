package trigger

import (
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// connectedMarks are the lines a client writes when its connection is up;
// lower case, matched as substrings. A line that matches none of these and
// no catalogue entry is not an event: clients log a great deal.
var connectedMarks = []string{
	"initialization sequence completed",     // openvpn
	"child_sa ", "established successfully", // charon: "CHILD_SA x{1} established ..."
	"connection established", // charon IKE_SA, xl2tpd
	"local  ip address",      // pppd (two spaces, as pppd writes it)
	"interface started",      // nm helpers
}

// FromLine turns one line a client wrote into an Event: a Failed event when
// the explain catalogue recognises it (one matcher for explain and
// triggers), a Connected event when it says the connection is up. program
// is the client program as the source knows it; the catalogue's own
// program, when it names one, wins because it comes from the text.
func FromLine(source, connection, program, line string, at time.Time) (Event, bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return Event{}, false
	}
	ev := Event{Source: source, Connection: connection, Program: program, Line: line, At: at}
	m := diagnose.Explain(line)
	if m.Matched {
		ev.Kind = Failed
		ev.Code = m.Code
		if m.Program != "" {
			ev.Program = m.Program
		}
		if rs := m.Resource.Targets(); len(rs) > 0 {
			ev.Resources = rs
			// Only a line naming the resource proves the client failed to
			// get it; with both protocols guessed, either may be the VPN's
			// own working one.
			ev.Contended = !m.Resource.AnyProto
		} else if m.Family != diagnose.DialFailed && !m.Resource.Remote {
			ev.Resources = diagnose.ProgramPorts(Family(ev.Program))
		}
		return ev, true
	}
	lower := strings.ToLower(line)
	for _, mark := range connectedMarks {
		if strings.Contains(lower, mark) {
			ev.Kind = Connected
			return ev, true
		}
	}
	return Event{}, false
}

// Family maps a client program as an Event names it to the catalogue's
// program family (diagnose.ProgramPorts, diagnose.ProgramClients).
func Family(p string) string {
	switch {
	case p == "rasdial":
		return diagnose.ProgRAS
	case strings.HasPrefix(p, "openvpn"), strings.HasPrefix(p, "nm-openvpn"):
		return diagnose.ProgOpenVPN
	case strings.HasPrefix(p, "charon"), strings.HasPrefix(p, "strongswan"), p == "ipsec":
		return diagnose.ProgCharon
	case strings.HasPrefix(p, "wg"):
		return diagnose.ProgWireGuard
	case p == "sshd", p == "ssh":
		return diagnose.ProgSSH
	}
	return p
}

// Uniq returns rs without repeats, in order.
func Uniq(rs []vpnport.Resource) []vpnport.Resource {
	seen := map[vpnport.Resource]bool{}
	var out []vpnport.Resource
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
