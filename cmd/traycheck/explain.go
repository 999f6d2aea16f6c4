package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/freeport"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

func init() {
	register(&command{
		name:    "explain",
		summary: "explain a pasted error message and check the port or device it names",
		run:     runExplain,
	})
}

// explainJSON is the --json output: the Match fields, then the findings of
// the live check in the same schema as `traycheck check --json`.
type explainJSON struct {
	diagnose.Match
	// Resource shadows Match.Resource: null when the text names no resource,
	// so "kind" is always one of tcp, udp, device, adapter when present.
	Resource *diagnose.TextResource `json:"resource"`
	Findings []diagnose.Finding     `json:"findings"`
}

func runExplain(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	cfgPath := fs.String("config", "", "config file (default: the user config, else the built-in default)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: traycheck explain [--json] [--config FILE] [TEXT...]")
		fmt.Fprintln(e.stderr, "Recognises a \"port in use\" error message (TEXT, or standard input when none), checks the port or device it names and says who holds it.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	text := strings.Join(fs.Args(), " ")
	if fs.NArg() == 0 {
		b, err := io.ReadAll(io.LimitReader(e.stdin, diagnose.MaxExplainBytes))
		if err != nil {
			fmt.Fprintf(e.stderr, "traycheck explain: reading standard input: %v\n", err)
			return exitUsage
		}
		text = string(b)
	}
	m := diagnose.Explain(text)
	if !m.Matched {
		if *asJSON {
			explainWriteJSON(e.stdout, explainJSON{Match: m, Findings: []diagnose.Finding{}})
		}
		fmt.Fprintln(e.stderr, "traycheck explain: this text is not an error traycheck knows (port or device in use, Windows RAS errors, reserved port, adapter in use, missing tray host); nothing was checked")
		return exitUsage
	}
	e.log.Debug("explain matched", "entry", m.Entry, "line", m.Line, "program", m.Program)
	cfg, code := loadConfig(e, *cfgPath)
	if cfg == nil {
		return code
	}
	sc := explainResources(m, cfg)
	var findings []diagnose.Finding
	if len(sc.rs) > 0 {
		var err error
		dc := diagContext(cfg, time.Now())
		dc.VPNClients = slices.Concat(dc.VPNClients, diagnose.ProgramClients(m.Program))
		// Only a text that names the resource proves a program just failed
		// to get it, so that whoever holds it is not that program. A text
		// without a port may come from the very process still holding its
		// other ports (charon keeps running), and one client holding its
		// own port is the VPN working.
		dc.Contended = sc.kind == scopeNamed && !m.Resource.AnyProto
		var obs []vpnport.Observation
		obs, findings, err = observeResources(ctx, sc.rs, dc)
		if err != nil {
			fmt.Fprintf(e.stderr, "traycheck explain: checking %s: %v\n", explainList(sc.rs), err)
			return exitProbe
		}
		// A text that does not say tcp or udp failed on the held one when
		// only one is held; with both held it may have been either, and the
		// client on the other is someone's working VPN.
		if sc.kind == scopeNamed && m.Resource.AnyProto && explainHeld(obs) == 1 {
			dc.Contended = true
			findings = diagnose.DiagnoseAll(obs, dc)
		}
	}
	sug := explainSuggest(ctx, m, text, findings)
	if *asJSON {
		explainWriteJSON(e.stdout, explainJSON{Match: m, Findings: findings})
	} else {
		explainWriteText(e.stdout, m, sc, findings, sug)
	}
	code = exitFor(findings)
	// An adapter, tray or remote problem has no port to check here, and a
	// dial failure is no local conflict, but the text is an error the user
	// has to act on.
	if len(sc.rs) == 0 || m.Family == diagnose.DialFailed {
		code = exitAttention
	}
	return code
}

// What explain checked live, and why: the scope decides the sentence that
// introduces the findings and whether a holder is a contender.
const (
	scopeNone       = iota // nothing checkable here (adapter, tray, ssh -R, a dial failure)
	scopeNamed             // the resource the text names (both protocols when it does not say which)
	scopeProgram           // no resource named: the ports of the program that printed it
	scopeConfigured        // neither resource nor program known: the configured ones
)

type explainScope struct {
	kind int
	rs   []vpnport.Resource
}

// explainResources is what to check live: the resource the text names; when
// it names none, the ports of the program that printed it (charon's IKE
// ports, never OpenVPN's); when the program is unknown too (Python's bare
// "[Errno 98]", RAS 633 without devices), the configured resources of the
// kind the family is about.
func explainResources(m diagnose.Match, cfg *config.Config) explainScope {
	if rs := m.Resource.Targets(); len(rs) > 0 {
		return explainScope{scopeNamed, rs}
	}
	switch {
	case m.Resource.Remote, m.Family == diagnose.AdapterInUse, m.Family == diagnose.TrayHostMissing:
		return explainScope{}
	case m.Family == diagnose.DialFailed:
		// Not a local conflict; a configured device that vanished is the
		// one local thing worth a look.
		return explainScope{scopeConfigured, cfg.Devices}
	case m.Program == diagnose.ProgSSH:
		var rs []vpnport.Resource
		for _, p := range cfg.SSHForwardPorts {
			rs = append(rs, vpnport.Resource{Kind: vpnport.TCP, Port: p})
		}
		return explainScope{scopeProgram, rs}
	}
	if ps := diagnose.ProgramPorts(m.Program); len(ps) > 0 {
		if m.Program == diagnose.ProgRAS {
			ps = append(slices.Clone(cfg.Devices), ps...)
		}
		return explainScope{scopeProgram, ps}
	}
	switch m.Family {
	case diagnose.PortAlreadyOpen, diagnose.DeviceInUse:
		if len(cfg.Devices) > 0 {
			return explainScope{scopeConfigured, cfg.Devices}
		}
	case diagnose.AddressInUse, diagnose.AccessForbidden:
		var ports []vpnport.Resource
		for _, r := range cfg.Resources() {
			if r.Kind != vpnport.Device && (m.Resource.Kind == "" || r.Kind == m.Resource.Kind) {
				ports = append(ports, r)
			}
		}
		if len(ports) > 0 {
			return explainScope{scopeConfigured, ports}
		}
	}
	return explainScope{scopeConfigured, cfg.Resources()}
}

// explainHeld counts the observations whose resource something holds (a
// live socket or a holder; TIME_WAIT alone blocks nobody who reuses).
func explainHeld(obs []vpnport.Observation) int {
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

// explainSuggestion is a free port to use instead, and the rewritten ssh
// command when the holder or the pasted command is an ssh forward.
type explainSuggestion struct {
	port    uint16
	command string
	err     error
}

// explainSuggest looks for another port when the text is an address-in-use
// error and someone (a process or TIME_WAIT) holds the port it names, in
// whichever protocol is held when the text did not say.
func explainSuggest(ctx context.Context, m diagnose.Match, text string, fs []diagnose.Finding) *explainSuggestion {
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
	sug, err := remedy.SuggestPort(ctx, *f, m.Resource.Address, explainCommands(text))
	return &explainSuggestion{port: sug.Port, command: sug.Command, err: err}
}

// explainCommands finds ssh command lines pasted with the error ("$ ssh -L
// 8080:db:5432 host"). Words are split on blanks: good enough to rewrite a
// -L, which never contains one.
func explainCommands(text string) [][]string {
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

func explainWriteText(w io.Writer, m diagnose.Match, sc explainScope, fs []diagnose.Finding, s *explainSuggestion) {
	fmt.Fprintln(w, explainHead(m))
	fmt.Fprintln(w, m.Explanation)
	switch {
	case m.Resource.Remote:
		fmt.Fprintf(w, "tcp/%d is on the server, not on this computer: nothing here can hold it, so nothing was checked here.\n", m.Resource.Port)
	case len(sc.rs) == 0 && m.Program == diagnose.ProgSSH:
		fmt.Fprintln(w, "The text names no port and the config lists no ssh forward ports ([ssh] forward_ports): nothing was checked. Paste the line with the port, or run `traycheck check tcp/PORT`.")
	case len(sc.rs) == 0:
		fmt.Fprintln(w, "Nothing to check live for this error.")
	case sc.kind == scopeProgram:
		prog := m.Program
		if prog == diagnose.ProgRAS {
			prog = "Windows Remote Access"
		}
		what := "ports"
		if len(sc.rs) > 0 && sc.rs[0].Kind == vpnport.Device {
			what = "devices and ports" // RAS: the configured devices first
		}
		fmt.Fprintf(w, "The text names no port; checked the %s %s uses: %s (if yours differ, run `traycheck check PORT`):\n", what, prog, explainList(sc.rs))
	case sc.kind == scopeConfigured:
		fmt.Fprintf(w, "The text names no port or program; checked the configured %s (it may be about none of them):\n", explainList(sc.rs))
	default:
		fmt.Fprintln(w, "Now:")
	}
	held := 0
	for _, f := range fs {
		if len(f.Holders) > 0 {
			held++
		}
	}
	if m.Resource.AnyProto && held > 1 {
		fmt.Fprintln(w, "  Both protocols are held, and the text does not say which one its program wanted: compare the holders with that program's configuration (proto).")
	}
	for _, f := range fs {
		fmt.Fprintf(w, "  %s\n", f.Message)
		if len(f.Actions) > 0 {
			names := make([]string, len(f.Actions))
			for i, a := range f.Actions {
				names[i] = string(a)
			}
			fmt.Fprintf(w, "  actions: %s\n", strings.Join(names, ", "))
		}
		if f.Cause == diagnose.SameAppInstance && len(f.Holders) == 1 {
			// One running copy may well be the user's working tunnel: the
			// one that failed was the second.
			fmt.Fprintf(w, "  If PID %d is the VPN or tunnel you are using, it is working: the program that printed this error was a second copy. End it only to replace it.\n", f.Holders[0].PID)
		}
	}
	if s == nil {
		return
	}
	if s.err != nil {
		fmt.Fprintf(w, "No free port found nearby: %v\n", s.err)
		return
	}
	fmt.Fprintf(w, "Free port nearby: %d\n", s.port)
	if s.command != "" {
		fmt.Fprintf(w, "  %s\n", s.command)
	}
}

// explainHead is the first line: family, code and the resource as the text
// names it ("tcp/8080 on 127.0.0.1", "tcp/1194 and udp/1194 (the text does
// not say which)", "tcp/9001 on the server").
func explainHead(m diagnose.Match) string {
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
	head += ": " + explainList(ts)
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

func explainList(rs []vpnport.Resource) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.String()
	}
	return strings.Join(names, ", ")
}

func explainWriteJSON(w io.Writer, v explainJSON) {
	if v.Match.Resource.Kind != "" {
		v.Resource = &v.Match.Resource
	}
	if v.Findings == nil {
		v.Findings = []diagnose.Finding{}
	}
	writeJSON(w, v)
}
