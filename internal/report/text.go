package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/ras"
	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Redact returns a copy of r with red applied to every field that can name
// the user: holders' users, executables and command lines, messages, paths,
// the reconnect command, RAS entry names. r itself is not changed.
func Redact(r *Report, red *Redactor) *Report {
	out := *r
	out.Redacted, out.FullArgs = true, red.Full
	// Register every user first, so free text mentioning a user who
	// appears later in the report is redacted too.
	for _, res := range r.Resources {
		for _, h := range res.Holders {
			red.AddUser(h.User)
		}
	}
	if r.Config != nil {
		c := *r.Config
		c.Source = red.Text(c.Source)
		c.Reconnect = red.Argv(c.Reconnect)
		out.Config = &c
	}
	out.ConfigError = red.Text(r.ConfigError)
	out.ProbeError = red.Text(r.ProbeError)
	out.Resources = make([]Resource, len(r.Resources))
	for i, res := range r.Resources {
		res.Holders = make([]vpnport.Holder, len(r.Resources[i].Holders))
		for j, h := range r.Resources[i].Holders {
			h.User = red.User(h.User)
			h.Exe = red.Text(h.Exe)
			h.Cmdline = red.Argv(h.Cmdline)
			res.Holders[j] = h
		}
		res.Message = red.Text(res.Message)
		// A role's commands carry paths (ssh's control socket in ~/.ssh).
		if cs := r.Resources[i].Commands; len(cs) > 0 {
			res.Commands = make([]string, len(cs))
			for k, c := range cs {
				res.Commands[k] = red.Text(c)
			}
		}
		res.OpenErr = red.Text(res.OpenErr)
		res.Resource.Path = red.Text(res.Resource.Path)
		if res.Lock != nil {
			l := *res.Lock
			l.Path = red.Text(l.Path)
			res.Lock = &l
		}
		out.Resources[i] = res
	}
	out.RAS = make([]ras.Conn, len(r.RAS))
	for i, c := range r.RAS {
		c.Entry, c.Phonebook = red.Text(c.Entry), red.Text(c.Phonebook)
		out.RAS[i] = c
	}
	out.Recent = make([]Event, len(r.Recent))
	for i, e := range r.Recent {
		e.Detail = red.Text(e.Detail)
		out.Recent[i] = e
	}
	return &out
}

// WriteJSON writes the report as indented JSON, hidden runes in names and
// paths escaped (safetext.WriteJSON: the same strings, safe bytes).
func (r *Report) WriteJSON(w io.Writer) error { return safetext.WriteDoc(w, "traycheck.report/1", r) }

// WriteText writes the report for people: one section per topic, every
// fact on its own line, "not recorded" where traycheck kept nothing, so a
// helpdesk can read it in a ticket or an e-mail.
func (r *Report) WriteText(w io.Writer) error {
	p := &textWriter{w: w}
	p.f("traycheck diagnostic report\n")
	p.f("generated: %s\n", r.Generated.Format(time.RFC3339))
	p.f("traycheck: %s\n", r.Version)
	p.f("os: %s (%s/%s)", r.OS.Name, r.OS.GOOS, r.OS.GOARCH)
	if r.OS.Kernel != "" {
		p.f(", kernel %s", r.OS.Kernel)
	}
	p.f("\n")
	switch {
	case !r.Redacted:
		p.f("redaction: none (this report names users and full command lines)\n")
	case r.FullArgs:
		p.f("redaction: user names and home paths replaced; command lines kept (--full)\n")
	default:
		p.f("redaction: user names and home paths replaced; command-line arguments dropped (--full keeps them)\n")
	}

	p.f("\n[config]\n")
	if r.ConfigError != "" {
		p.f("error: %s\n", r.ConfigError)
	}
	if c := r.Config; c != nil {
		// Each value says which layer it came from, in `config show`'s
		// words, so the report and `config show` cannot disagree.
		from := func(key string) string {
			if s := c.Sources[key]; s != "" {
				return " (" + s + ")"
			}
			return ""
		}
		p.f("source: %s\nvpn: %s%s\nports: %s%s\ndevices: %s%s\nclients: %s%s\n", c.Source, c.VPNName, from("vpn.name"),
			list(c.Ports), from("vpn.ports"), list(c.Devices), from("vpn.devices"), list(c.Clients), from("vpn.clients"))
		fw := make([]string, len(c.SSHForwardPorts))
		for i, n := range c.SSHForwardPorts {
			fw[i] = fmt.Sprint(n)
		}
		p.f("ssh forward ports: %s%s\nadapter: %s%s\nreconnect: %s%s\ninterval: %s%s\n", list(fw), from("ssh.forward_ports"),
			orNone(c.Adapter), from("vpn.adapter"), list(c.Reconnect), from("vpn.reconnect"), c.Interval, from("check.interval"))
	}

	p.f("\n[resources]\n")
	if r.ProbeError != "" {
		p.f("probe failed: %s\n", r.ProbeError)
	}
	if len(r.Resources) == 0 {
		p.f("none checked\n")
	}
	for _, res := range r.Resources {
		p.f("%s: %s\n  %s\n", res.Resource, res.Cause, res.Message)
		for _, h := range res.Holders {
			p.f("  holder: %s", diagnose.HolderText(h))
			if len(h.Cmdline) > 0 {
				p.f(", command: %s", safetext.Printable(strings.Join(h.Cmdline, " ")))
			}
			if !h.Started.IsZero() {
				p.f(", started %s", h.Started.UTC().Format(time.RFC3339))
			}
			p.f("\n")
		}
		if res.Resource.Kind == vpnport.Device {
			p.f("  exists: %v, busy: %v", res.Exists, res.Busy)
			if res.OpenErr != "" {
				p.f(", open error: %s", res.OpenErr)
			}
			if res.Lock != nil {
				p.f(", lock %s (PID %d, alive %v)", res.Lock.Path, res.Lock.PID, res.Lock.Alive)
			}
			p.f("\n")
		} else {
			p.f("  sockets: %s, TIME_WAIT: %s", count(res.Sockets), count(res.TimeWait))
			if res.TimeWaitLeftS > 0 {
				p.f(" (last expires in %ds)", res.TimeWaitLeftS)
			}
			p.f("\n")
		}
		if len(res.Actions) > 0 {
			acts := make([]string, len(res.Actions))
			for i, a := range res.Actions {
				acts[i] = string(a)
			}
			p.f("  actions: %s\n", strings.Join(acts, ", "))
		}
	}

	p.f("\n[reserved port ranges]\n")
	switch {
	case len(r.Reserved) > 0:
		for _, rr := range r.Reserved {
			p.f("%s\n", rr)
		}
	case r.ReservedNote != "":
		p.f("%s\n", r.ReservedNote)
	default:
		p.f("none on the watched ports\n")
	}

	p.f("\n[adapters]\n")
	if r.AdaptersNote != "" {
		p.f("%s\n", r.AdaptersNote)
	}
	for _, a := range r.Adapters {
		state := "down"
		if a.Up {
			state = "up"
		}
		p.f("%s: %s, mtu %d, flags %s, addresses %s\n", a.Name, state, a.MTU, orNone(a.Flags), list(a.Addrs))
	}

	p.f("\n[RAS connections]\n")
	if r.RASNote != "" {
		p.f("%s\n", r.RASNote)
	} else if len(r.RAS) == 0 {
		p.f("none\n")
	}
	for _, c := range r.RAS {
		p.f("%s: %s %s, state %s", c.Entry, c.DeviceType, c.DeviceName, orNone(c.State))
		if c.Error != 0 {
			p.f(", error %d", c.Error)
		}
		p.f("\n")
	}

	p.f("\n[power]\n")
	p.f("last suspend: %s\nlast resume: %s\n", timeOr(r.LastSuspend), timeOr(r.LastResume))

	p.f("\n[recent findings and actions]\n")
	if r.RecentNote != "" {
		p.f("%s\n", r.RecentNote)
	} else if len(r.Recent) == 0 {
		p.f("none\n")
	}
	for _, e := range r.Recent {
		p.f("%s %s %s %s", e.At.UTC().Format(time.RFC3339), e.Kind, e.Resource, e.What)
		if e.Detail != "" {
			p.f(": %s", e.Detail)
		}
		p.f("\n")
	}
	return p.err
}

// textWriter keeps the first write error so WriteText reads as a list of
// lines rather than a list of error checks.
type textWriter struct {
	w   io.Writer
	err error
}

func (p *textWriter) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func list(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}

func count(n *int) string {
	if n == nil {
		return NotRecorded
	}
	return fmt.Sprint(*n)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func timeOr(t *time.Time) string {
	if t == nil {
		return NotRecorded
	}
	return t.Format(time.RFC3339)
}
