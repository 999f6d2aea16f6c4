package discover

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/safetext"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// guesses are the embedded default's well-known ports by the kind of VPN
// that uses them. A kind that discovery found with ports of its own replaces
// its guess: a profile on udp/1195 means udp/1194 is nobody's.
var guesses = map[string][]string{
	KindOpenVPN:   {"udp/1194"},
	KindWireGuard: {"udp/51820"},
	KindIPsec:     {"udp/500", "udp/4500"},
}

// Apply returns a copy of cfg (the embedded default) that also watches what
// was found: its ports (replacing the guess for a kind found with ports of
// its own), devices and ssh forward ports, and its clients. The adapter is set
// only when discovery found exactly one. A reconnect command is never set:
// running commands is for the user to decide (`config init --discover` writes
// the suggestion as a comment).
func Apply(cfg *config.Config, found []Found) *config.Config {
	out := *cfg
	out.Ports = slices.Clone(cfg.Ports)
	out.Devices = slices.Clone(cfg.Devices)
	out.Clients = slices.Clone(cfg.Clients)
	out.SSHForwardPorts = slices.Clone(cfg.SSHForwardPorts)

	replaced := map[string]bool{}
	for _, f := range found {
		if len(f.Ports) > 0 && f.Kind != KindSSH {
			for _, g := range guesses[f.Kind] {
				replaced[g] = true
			}
		}
	}
	for _, f := range found {
		for _, p := range f.Ports {
			replaced[p] = false // a port some profile really uses stays
		}
	}
	out.Ports = slices.DeleteFunc(out.Ports, func(r vpnport.Resource) bool { return replaced[r.String()] })

	var adapters []string
	for _, f := range found {
		if f.Kind == KindSSH {
			for _, p := range f.ForwardPorts {
				if !slices.Contains(out.SSHForwardPorts, p) {
					out.SSHForwardPorts = append(out.SSHForwardPorts, p)
				}
			}
		} else {
			for _, p := range f.Ports {
				if rs, err := vpnport.ParseTarget(p); err == nil && !slices.Contains(out.Ports, rs[0]) {
					out.Ports = append(out.Ports, rs[0])
				}
			}
		}
		for _, d := range f.Devices {
			r := vpnport.Resource{Kind: vpnport.Device, Path: d}
			if !slices.Contains(out.Devices, r) {
				out.Devices = append(out.Devices, r)
			}
		}
		for _, c := range f.Clients {
			if !slices.Contains(out.Clients, c) {
				out.Clients = append(out.Clients, c)
			}
		}
		if f.Adapter != "" && !slices.Contains(adapters, f.Adapter) {
			adapters = append(adapters, f.Adapter)
		}
	}
	if out.Adapter == "" && len(adapters) == 1 {
		out.Adapter = adapters[0]
	}
	return &out
}

// TOML returns the embedded default config's text with what was found written
// in: each discovered port, device and forward port on its own line with a
// comment naming its source, the guesses it replaces commented out, and each
// reconnect suggestion as a comment. The result is parsed before it is
// returned, so `config init --discover` never writes a file traycheck refuses.
func TOML(found []Found) ([]byte, error) {
	def := config.Default()
	applied := Apply(def, found)
	src := map[string][]string{}
	note := func(key, s string) {
		if !slices.Contains(src[key], s) {
			src[key] = append(src[key], s)
		}
	}
	for _, f := range found {
		label := f.Kind + " " + strconv.Quote(f.Name) + " in " + f.Source
		for _, p := range f.Ports {
			note(p, label)
		}
		for _, d := range f.Devices {
			note(d, label)
		}
	}

	var ports bytes.Buffer
	ports.WriteString("ports = [\n")
	for _, r := range applied.Ports {
		c := "well-known port"
		if s := src[r.String()]; len(s) > 0 {
			c = "discovered: " + strings.Join(s, "; ")
		}
		fmt.Fprintf(&ports, "  %q, # %s\n", r.String(), tomlComment(c))
	}
	for _, r := range def.Ports {
		if !slices.Contains(applied.Ports, r) {
			fmt.Fprintf(&ports, "  # %q, (a guess that discovery replaced)\n", r.String())
		}
	}
	ports.WriteString("]")

	var devs bytes.Buffer
	devs.WriteString("devices = [")
	for _, r := range applied.Devices {
		fmt.Fprintf(&devs, "\n  %s, # discovered: %s", tomlQuote(r.Path), tomlComment(strings.Join(src[r.Path], "; ")))
	}
	if len(applied.Devices) > 0 {
		devs.WriteString("\n")
	}
	devs.WriteString("]")

	var fwd bytes.Buffer
	fwd.WriteString("forward_ports = [")
	for i, p := range applied.SSHForwardPorts {
		if i > 0 {
			fwd.WriteString(", ")
		}
		fwd.WriteString(strconv.Itoa(int(p)))
	}
	fwd.WriteString("]")
	for _, f := range found {
		if f.Kind == KindSSH && len(f.ForwardPorts) > 0 {
			fwd.WriteString("  # discovered: " + tomlComment(f.Name+" in "+f.Source))
		}
	}

	var recon bytes.Buffer
	for _, f := range found {
		if len(f.Reconnect) == 0 {
			continue
		}
		q := make([]string, len(f.Reconnect))
		for i, a := range f.Reconnect {
			q[i] = strconv.Quote(a)
		}
		fmt.Fprintf(&recon, "# reconnect = [%s]   # for %s\n", tomlComment(strings.Join(q, ", ")), tomlComment(f.Kind+" "+strconv.Quote(f.Name)))
	}

	text := string(config.DefaultTOML())
	for _, r := range []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`(?ms)^ports = \[.*?^\]`), ports.String()},
		{regexp.MustCompile(`(?m)^devices = \[\]`), devs.String()},
		{regexp.MustCompile(`(?m)^forward_ports = \[\]`), fwd.String()},
		{regexp.MustCompile(`(?m)^adapter = ""`), "adapter = " + strconv.Quote(applied.Adapter)},
		{regexp.MustCompile(`(?m)^# reconnect = \["nmcli", "connection", "up", "work"\]\n`), "# reconnect = [\"nmcli\", \"connection\", \"up\", \"work\"]\n" + recon.String()},
	} {
		if !r.re.MatchString(text) {
			return nil, fmt.Errorf("discover: the embedded default has no %s to replace", r.re)
		}
		text = r.re.ReplaceAllLiteralString(text, r.with)
	}
	// The default's clients keep their comments; discovered ones are added
	// before the list closes.
	var extra strings.Builder
	for _, c := range applied.Clients {
		if !slices.Contains(def.Clients, c) {
			fmt.Fprintf(&extra, "  %s, # discovered\n", tomlQuote(c))
		}
	}
	cre := regexp.MustCompile(`(?ms)^(clients = \[.*?)^\]`)
	if !cre.MatchString(text) {
		return nil, fmt.Errorf("discover: the embedded default has no clients list to add to")
	}
	text = cre.ReplaceAllString(text, "${1}"+strings.ReplaceAll(extra.String(), "$", "$$")+"]")
	if _, err := config.Parse("discovered config", []byte(text)); err != nil {
		return nil, fmt.Errorf("discover: the written config would not load: %w", err)
	}
	return []byte(text), nil
}

// tomlComment keeps a value inside a one-line comment and off the terminal
// of whoever prints the file: a newline in a file name or profile name would
// otherwise start a line of TOML, an escape would reach the terminal.
func tomlComment(s string) string { return safetext.Printable(s) }

// tomlQuote writes s as a TOML basic string: Go's %q would write \a or \x1b,
// which TOML refuses, for a control character in a device's or client's
// name. Hidden runes are escaped, so the file shows no raw escape either.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case safetext.IsHidden(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case safetext.IsHidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
