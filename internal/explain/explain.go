// Package explain is `traycheck explain` past the pattern match: which
// resources to check live for a recognised error text (and why: the Scope),
// the free port (and rewritten ssh command) to suggest, and the text and
// JSON it prints.
package explain

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/freeport"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// JSON is explain --json's output: the Match fields, then the findings of
// the live check in the same schema as `traycheck check --json`, each with
// the scope it was checked in.
type JSON struct {
	diagnose.Match
	// Resource shadows Match.Resource: null when the text names no resource,
	// so "kind" is always one of tcp, udp, device, adapter when present.
	Resource *diagnose.TextResource `json:"resource"`
	Findings []Finding              `json:"findings"`
}

// Finding is a check finding with its scope: "named" when the text names
// the resource (the answer to the text), "program" when the text names none
// and it is one of the default ports of the program that printed it,
// "configured" when it is one of the user's configured resources, looked
// at in case the text is about one of them. Only a "named" finding answers
// the text; a "free" of the others says nothing about the error.
type Finding struct {
	diagnose.Finding
	Scope string `json:"scope"`
}

// NewJSON is the --json value for a match, the scope it was checked in and
// the findings.
func NewJSON(m diagnose.Match, sc Scope, fs []diagnose.Finding) JSON {
	v := JSON{Match: m, Findings: make([]Finding, len(fs))}
	for i, f := range fs {
		v.Findings[i] = Finding{Finding: f, Scope: sc.Name()}
	}
	return v
}

// What explain checked live, and why: the scope decides the sentence that
// introduces the findings and whether a holder is a contender.
const (
	ScopeNone       = iota // nothing checkable here (adapter, tray, ssh -R, a dial failure)
	ScopeNamed             // the resource the text names (both protocols when it does not say which)
	ScopeProgram           // no resource named: the ports of the program that printed it
	ScopeConfigured        // neither resource nor program known: the configured ones
)

// Scope is what was checked live and why.
type Scope struct {
	Kind int
	RS   []vpnport.Resource
}

// Name is the scope's JSON id: named, program or configured ("" for
// ScopeNone).
func (s Scope) Name() string {
	switch s.Kind {
	case ScopeNamed:
		return "named"
	case ScopeProgram:
		return "program"
	case ScopeConfigured:
		return "configured"
	}
	return ""
}

// Resources is what to check live: the resource the text names; when
// it names none, the ports of the program that printed it (charon's IKE
// ports, never OpenVPN's); when the program is unknown too (Python's bare
// "[Errno 98]", RAS 633 without devices), the configured resources of the
// kind the family is about.
func Resources(m diagnose.Match, cfg *config.Config) Scope {
	if rs := m.Resource.Targets(); len(rs) > 0 {
		return Scope{ScopeNamed, rs}
	}
	switch {
	case m.Resource.Remote, m.Family == diagnose.AdapterInUse, m.Family == diagnose.TrayHostMissing:
		return Scope{}
	case m.Family == diagnose.DialFailed:
		// Not a local conflict; a configured device that vanished is the
		// one local thing worth a look.
		return Scope{ScopeConfigured, cfg.Devices}
	case m.Program == diagnose.ProgSSH:
		var rs []vpnport.Resource
		for _, p := range cfg.SSHForwardPorts {
			rs = append(rs, vpnport.Resource{Kind: vpnport.TCP, Port: p})
		}
		return Scope{ScopeProgram, rs}
	}
	if ps := diagnose.ProgramPorts(m.Program); len(ps) > 0 {
		if m.Program == diagnose.ProgRAS {
			ps = append(slices.Clone(cfg.Devices), ps...)
		}
		return Scope{ScopeProgram, ps}
	}
	switch m.Family {
	case diagnose.PortAlreadyOpen, diagnose.DeviceInUse:
		if len(cfg.Devices) > 0 {
			return Scope{ScopeConfigured, cfg.Devices}
		}
		if m.Family == diagnose.DeviceInUse {
			// A device text says nothing about ports: with no device
			// configured there is nothing it can be about here.
			return Scope{}
		}
	case diagnose.AddressInUse, diagnose.AccessForbidden:
		var ports []vpnport.Resource
		for _, r := range cfg.Resources() {
			if r.Kind != vpnport.Device && (m.Resource.Kind == "" || r.Kind == m.Resource.Kind) {
				ports = append(ports, r)
			}
		}
		if len(ports) > 0 {
			return Scope{ScopeConfigured, ports}
		}
	}
	return Scope{ScopeConfigured, cfg.Resources()}
}

// Held counts the observations whose resource something holds (a
// live socket or a holder; TIME_WAIT alone blocks nobody who reuses).
func Held(obs []vpnport.Observation) int {
	n := 0
	for _, o := range obs {
		held := len(o.Holders) > 0
		for _, s := range o.Sockets {
			held = held || s.State != vpnport.StateTimeWait
		}
		if held {
			n++
		}
	}
	return n
}

// Suggestion is a free port to use instead, and the rewritten ssh
// command when the holder or the pasted command is an ssh forward.
type Suggestion struct {
	Port    uint16
	Command string
	Err     error
}

// explainSuggest looks for another port when the text is an address-in-use
// error and someone (a process or TIME_WAIT) holds the port it names, in
// whichever protocol is held when the text did not say.
func Suggest(ctx context.Context, m diagnose.Match, text string, fs []diagnose.Finding) *Suggestion {
	if m.Family != diagnose.AddressInUse {
		return nil
	}
	var f *diagnose.Finding
	for _, r := range m.Resource.Targets() {
		for i := range fs {
			if fs[i].Resource == r && f == nil && r.Kind != vpnport.Device &&
				(len(fs[i].Holders) > 0 || fs[i].TimeWaitLeftS > 0) && fs[i].Cause != diagnose.Free {
				f = &fs[i]
			}
		}
	}
	if f == nil {
		return nil
	}
	sug, err := remedy.SuggestPort(ctx, *f, m.Resource.Address, Commands(text))
	return &Suggestion{Port: sug.Port, Command: sug.Command, Err: err}
}

// Commands finds ssh command lines pasted with the error ("$ ssh -L
// 8080:db:5432 host"). Words are split on blanks: good enough to rewrite a
// -L, which never contains one.
func Commands(text string) [][]string {
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		for len(f) > 0 && (f[0] == "$" || f[0] == "#" || f[0] == ">" || strings.HasSuffix(f[0], "$")) {
			f = f[1:]
		}
		if freeport.IsSSH(f) {
			out = append(out, f)
		}
	}
	return out
}

// WriteText prints what explain prints. A text that names no port (or
// device) says so before anything else, and what is checked instead is
// labelled as a separate look, so a "free" there is never read as the
// answer. Then the resource as the text names it, the explanation, the
// other ports the text mentions, the findings, and a free port nearby when
// one was looked for.
func WriteText(w io.Writer, st findingprint.Style, m diagnose.Match, sc Scope, fs []diagnose.Finding, s *Suggestion) {
	para := func(indent int, format string, args ...any) {
		findingprint.WriteParagraph(w, st, indent, fmt.Sprintf(format, args...))
	}
	if none := NoneNamed(m); none != "" {
		fmt.Fprintln(w, none)
	}
	fmt.Fprintln(w, head(m))
	para(0, "%s", m.Explanation)
	if len(m.Also) > 0 {
		also := make([]string, len(m.Also))
		for i, a := range m.Also {
			also[i] = alsoText(a)
		}
		para(0, "Also mentioned in the text, not checked (the error is nearest to port %d): %s", m.Resource.Port, strings.Join(also, ", "))
	}
	switch {
	case m.Resource.Remote:
		para(0, "tcp/%d is on the server, not on this computer: nothing here can hold it, so nothing was checked here.", m.Resource.Port)
	case len(sc.RS) == 0 && m.Program == diagnose.ProgSSH:
		para(0, "The config lists no ssh forward ports ([ssh] forward_ports): nothing was checked. Paste the line with the port, or run `traycheck check tcp/PORT`.")
	case len(sc.RS) == 0 && m.Family == diagnose.DeviceInUse && m.Resource.Path == "":
		para(0, "No devices are configured (devices in the [vpn] section), so nothing was checked: run `traycheck check DEVICE` with the device's path (for example /dev/ttyUSB0).")
	case len(sc.RS) == 0:
		para(0, "Nothing to check live for this error.")
	case sc.Kind == ScopeProgram:
		prog := m.Program
		what := "The ports " + prog + " uses by default"
		if prog == diagnose.ProgRAS {
			what = "The ports Windows Remote Access uses"
			if sc.RS[0].Kind == vpnport.Device {
				what = "Your configured devices and the ports Windows Remote Access uses" // the devices first
			}
		}
		para(0, "%s, in case it is one of them (if yours differ, run `traycheck check PORT`): %s", what, List(sc.RS))
	case sc.Kind == ScopeConfigured:
		para(0, "Your configured %s, in case it is one of them: %s", configuredWhat(sc.RS), List(sc.RS))
	default:
		fmt.Fprintln(w, "Now:")
	}
	writeFindings(w, st, para, m, fs)
	if s == nil {
		return
	}
	if s.Err != nil {
		para(0, "No free port found nearby: %v", s.Err)
		return
	}
	fmt.Fprintf(w, "Free port nearby: %d\n", s.Port)
	if s.Command != "" {
		fmt.Fprintf(w, "  %s\n", s.Command)
	}
}

func writeFindings(w io.Writer, st findingprint.Style, para func(int, string, ...any), m diagnose.Match, fs []diagnose.Finding) {
	held := 0
	for _, f := range fs {
		if len(f.Holders) > 0 {
			held++
		}
	}
	if m.Resource.AnyProto && held > 1 {
		para(0, "Both protocols are held, and the text does not say which one its program wanted: compare the holders with that program's configuration (proto).")
	}
	for _, f := range fs {
		findingprint.WriteFinding(w, st, f)
		if f.Cause == diagnose.SameAppInstance && len(f.Holders) == 1 && !diagnose.IsSecondCopy(f) {
			// One running copy may well be the user's working tunnel: the
			// one that failed was the second.
			para(findingprint.MessageColumn(), "If PID %d is the VPN or tunnel you are using, it is working: the program that printed this error was a second copy. End it only to replace it.", f.Holders[0].PID)
		}
	}
}

// NoneNamed is the sentence that opens explain's answer when the text
// names no resource of the kind its family is about ("This text names no
// port."), or "" when it names one or the family has none to name.
func NoneNamed(m diagnose.Match) string {
	r := m.Resource
	switch m.Family {
	case diagnose.AddressInUse, diagnose.AccessForbidden:
		if r.Port == 0 {
			return "This text names no port."
		}
	case diagnose.DeviceInUse:
		if r.Path == "" && r.Port == 0 {
			if m.Program == diagnose.ProgRAS {
				return "This text names no port or device."
			}
			return "This text names no device."
		}
	case diagnose.PortAlreadyOpen:
		if r.Path == "" {
			return "This text names no port or device."
		}
	}
	return ""
}

func configuredWhat(rs []vpnport.Resource) string {
	dev, port := false, false
	for _, r := range rs {
		if r.Kind == vpnport.Device {
			dev = true
		} else {
			port = true
		}
	}
	switch {
	case dev && port:
		return "ports and devices"
	case dev:
		return "devices"
	}
	return "ports"
}

// alsoText is a mentioned port as the text gives it: "tcp/9000 on
// 127.0.0.1", "port 9000" when the protocol is unsaid.
func alsoText(r diagnose.TextResource) string {
	s := "port " + strconv.Itoa(int(r.Port))
	if !r.AnyProto && r.Kind != "" {
		s = string(r.Kind) + "/" + strconv.Itoa(int(r.Port))
	}
	if r.Address != "" {
		s += " on " + r.Address
	}
	return s
}

// head is the first line: family, code and the resource as the text
// names it ("tcp/8080 on 127.0.0.1", "tcp/1194 and udp/1194 (the text does
// not say which)", "tcp/9001 on the server").
func head(m diagnose.Match) string {
	head := string(m.Family) + " (" + m.Code + ")"
	r := m.Resource
	switch {
	case r.Remote && r.Port != 0:
		return fmt.Sprintf("%s: tcp/%d on the server (ssh -R)", head, r.Port)
	case r.Kind == vpnport.Device || r.Kind == diagnose.AdapterKind:
		if r.Path != "" {
			head += ": " + r.Path
		}
		return head
	case r.Port == 0:
		return head
	}
	ts := r.Targets()
	head += ": " + List(ts)
	if len(ts) > 1 {
		head = strings.Replace(head, ", ", " and ", 1)
	}
	if r.Address != "" {
		head += " on " + r.Address
	}
	if r.AnyProto {
		head += " (the text does not say tcp or udp: both checked)"
	}
	return head
}

// List is rs as "udp/500, tcp/8080".
func List(rs []vpnport.Resource) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.String()
	}
	return strings.Join(names, ", ")
}

// WriteJSON prints v as explain --json does.
func WriteJSON(w io.Writer, v JSON) {
	if v.Match.Resource.Kind != "" {
		v.Resource = &v.Match.Resource
	}
	if v.Findings == nil {
		v.Findings = []Finding{}
	}
	_ = safetext.WriteDoc(w, "traycheck.explain/1", v)
}
