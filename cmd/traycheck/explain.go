package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/freeport"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// explainJSON is the --json output: the Match fields, then the findings of
// the live check in the same schema as `traycheck check --json`.
type explainJSON struct {
	diagnose.Match
	// Resource shadows Match.Resource: null when the text names no resource,
	// so "kind" is always one of tcp, udp, device, adapter when present.
	Resource *diagnose.TextResource `json:"resource"`
	Findings []diagnose.Finding     `json:"findings"`
}

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "explain", "traycheck explain [--json] [--config FILE] [TEXT...]",
		"Recognises a \"port in use\" error message (TEXT, or standard input when none), checks the port or device it names and says who holds it.")
	asJSON := jsonFlag(fs, "the result")
	cfgPath := configFlag(fs)
	words, err := parse(fs, args, -1)
	if err != nil {
		return err
	}
	text := strings.Join(words, " ")
	if len(words) == 0 {
		b, err := io.ReadAll(io.LimitReader(e.stdin, diagnose.MaxExplainBytes))
		if err != nil {
			return usageError(fmt.Errorf("reading standard input: %w", err))
		}
		text = string(b)
	}
	m := diagnose.Explain(text)
	if !m.Matched {
		if *asJSON {
			explainWriteJSON(e.stdout, explainJSON{Match: m, Findings: []diagnose.Finding{}})
		}
		return usageError(errors.New("this text is not an error traycheck knows (port or device in use, RAS 602/633, reserved port, adapter in use, missing tray host); nothing was checked"))
	}
	e.log.Debug("explain matched", "entry", m.Entry, "line", m.Line)
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	rs := explainResources(m, cfg)
	var findings []diagnose.Finding
	if len(rs) > 0 {
		// The text is a program failing to get the resource, so a client
		// holding it is not that program: another instance, or a leftover.
		dc := monitor.DiagnoseContext(cfg, time.Now())
		dc.Contended = true
		if _, findings, err = monitor.Once(ctx, rs, dc); err != nil {
			return probeError(fmt.Errorf("checking %s: %w", explainList(rs), err))
		}
	}
	sug := explainSuggest(ctx, m, text, findings)
	if *asJSON {
		explainWriteJSON(e.stdout, explainJSON{Match: m, Findings: findings})
	} else {
		explainWriteText(e.stdout, m, rs, findings, sug)
	}
	// An adapter or tray problem has no port to check here, but the text
	// is an error the user has to act on.
	if len(rs) == 0 {
		return exitStatus(exitAttention)
	}
	for _, f := range findings {
		if f.NeedsAttention() {
			return exitStatus(exitAttention)
		}
	}
	return nil
}

// explainResources is what to check live: the resource the text names, or,
// when it names none (RAS "Error 633", Python's bare "[Errno 98]"), the
// configured resources of the kind the family is about.
func explainResources(m diagnose.Match, cfg *config.Config) []vpnport.Resource {
	if r, ok := m.Resource.Target(); ok {
		return []vpnport.Resource{r}
	}
	switch m.Family {
	case diagnose.AdapterInUse, diagnose.TrayHostMissing:
		return nil
	case diagnose.PortAlreadyOpen, diagnose.DeviceInUse:
		if len(cfg.Devices) > 0 {
			return cfg.Devices
		}
	case diagnose.AddressInUse, diagnose.AccessForbidden:
		var ports []vpnport.Resource
		for _, r := range cfg.Resources() {
			if r.Kind != vpnport.Device && (m.Resource.Kind == "" || r.Kind == m.Resource.Kind) {
				ports = append(ports, r)
			}
		}
		if len(ports) > 0 {
			return ports
		}
	}
	return cfg.Resources()
}

// explainSuggestion is a free port to use instead, and the rewritten ssh
// command when the holder or the pasted command is an ssh forward.
type explainSuggestion struct {
	port    uint16
	command string
	err     error
}

// explainSuggest looks for another port when the text is an address-in-use
// error and someone (a process or TIME_WAIT) holds the port it names.
func explainSuggest(ctx context.Context, m diagnose.Match, text string, fs []diagnose.Finding) *explainSuggestion {
	r, ok := m.Resource.Target()
	if m.Family != diagnose.AddressInUse || !ok || r.Kind == vpnport.Device {
		return nil
	}
	var f *diagnose.Finding
	for i := range fs {
		if fs[i].Resource == r {
			f = &fs[i]
		}
	}
	if f == nil || (len(f.Holders) == 0 && f.TimeWaitLeftS == 0) || f.Cause == diagnose.Free {
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

func explainWriteText(w io.Writer, m diagnose.Match, rs []vpnport.Resource, fs []diagnose.Finding, s *explainSuggestion) {
	head := string(m.Family) + " (" + m.Code + ")"
	if r, ok := m.Resource.Target(); ok {
		head += ": " + r.String()
		if m.Resource.Address != "" {
			head += " on " + m.Resource.Address
		}
	} else if m.Resource.Path != "" {
		head += ": " + m.Resource.Path
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, m.Explanation)
	switch {
	case len(rs) == 0:
		fmt.Fprintln(w, "Nothing to check live for this error.")
	case !explainNamed(m):
		fmt.Fprintf(w, "The text names no port or device; checked the configured %s:\n", explainList(rs))
	default:
		fmt.Fprintln(w, "Now:")
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

func explainNamed(m diagnose.Match) bool {
	_, ok := m.Resource.Target()
	return ok
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
	console.WriteJSON(w, v)
}
