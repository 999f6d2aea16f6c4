// Package explain is `traycheck explain` past the pattern match: which
// resources to check live for a recognised error text, the free port (and
// rewritten ssh command) to suggest, and the text and JSON it prints.
package explain

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/freeport"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// JSON is explain --json's output: the Match fields, then the findings of
// the live check in the same schema as `traycheck check --json`.
type JSON struct {
	diagnose.Match
	// Resource shadows Match.Resource: null when the text names no resource,
	// so "kind" is always one of tcp, udp, device, adapter when present.
	Resource *diagnose.TextResource `json:"resource"`
	Findings []diagnose.Finding     `json:"findings"`
}

// Resources is what to check live: the resource the text names, or,
// when it names none (RAS "Error 633", Python's bare "[Errno 98]"), the
// configured resources of the kind the family is about.
func Resources(m diagnose.Match, cfg *config.Config) []vpnport.Resource {
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

// Suggestion is a free port to use instead, and the rewritten ssh
// command when the holder or the pasted command is an ssh forward.
type Suggestion struct {
	Port    uint16
	Command string
	Err     error
}

// explainSuggest looks for another port when the text is an address-in-use
// error and someone (a process or TIME_WAIT) holds the port it names.
func Suggest(ctx context.Context, m diagnose.Match, text string, fs []diagnose.Finding) *Suggestion {
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

// WriteText prints what explain prints: the family, the explanation, the live
// findings and, when one was looked for, a free port nearby.
func WriteText(w io.Writer, m diagnose.Match, rs []vpnport.Resource, fs []diagnose.Finding, s *Suggestion) {
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
	case !named(m):
		fmt.Fprintf(w, "The text names no port or device; checked the configured %s:\n", List(rs))
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
	if s.Err != nil {
		fmt.Fprintf(w, "No free port found nearby: %v\n", s.Err)
		return
	}
	fmt.Fprintf(w, "Free port nearby: %d\n", s.Port)
	if s.Command != "" {
		fmt.Fprintf(w, "  %s\n", s.Command)
	}
}

func named(m diagnose.Match) bool {
	_, ok := m.Resource.Target()
	return ok
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
		v.Findings = []diagnose.Finding{}
	}
	console.WriteJSON(w, v)
}
