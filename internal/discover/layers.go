package discover

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/safefile"
)

// Layers is how the config traycheck runs with came about, lowest layer
// first: the embedded default, what discovery found, the keys the user's
// file sets (only those: a key it leaves out keeps following discovery),
// and the machine policy over all of them. Discovery runs unless the file
// or the policy says `discover = false`.
type Layers struct {
	Effective  *config.Config
	User       *config.Config // nil without a config file
	Discovered *config.Config // nil when discovery did not run
	Found      []Found
	Policy     *config.Policy // nil without a machine policy
}

// Load is the one layered loader: `config show`, `check`, `report`, the
// tray (and its "Copy diagnostics") and `watch` all load through it, so they
// agree. path is the user's file ("": the default path, which may be
// absent); actions are the action ids the policy may forbid. A config or
// policy that does not parse is an error (a *config.Error naming its file
// and line): traycheck never runs without the administrator's limits. The
// policy is read first, so a malformed one fails every command the same way
// whatever the user's file says.
func Load(ctx context.Context, path string, s Sources, actions []string) (Layers, error) {
	return load(ctx, &path, s, actions)
}

// LoadBelowUser is Load without the user's file: the layers a file with
// every key commented out would leave in force. `config init` shows them.
func LoadBelowUser(ctx context.Context, s Sources, actions []string) (Layers, error) {
	return load(ctx, nil, s, actions)
}

func load(ctx context.Context, path *string, s Sources, actions []string) (Layers, error) {
	pol, err := config.LoadMachinePolicy(actions)
	if err != nil {
		return Layers{}, err
	}
	var user *config.Config
	if path != nil {
		if user, err = config.LoadUser(*path); err != nil {
			return Layers{}, err
		}
	}
	l := Layers{User: user, Policy: pol}
	base := config.Default()
	if config.DiscoveryOn(user, pol) {
		l.Found = Discover(ctx, s)
		l.Discovered = Apply(base, l.Found)
		base = l.Discovered
	}
	l.Effective = pol.Apply(config.Overlay(base, user))
	return l, nil
}

// Settings lists the effective values with their sources, for `traycheck
// config show`.
func (l Layers) Settings() []config.Setting {
	return config.Show(l.Effective, l.User, l.Discovered, l.Policy)
}

// Describe names the layers in force, highest first, as the report's
// "source" line says it: "policy /etc/traycheck/policy.toml > ~/.config/
// traycheck/config.toml > discovered (2 files) > embedded default".
func (l Layers) Describe() string {
	var parts []string
	if l.Policy != nil {
		parts = append(parts, "policy "+l.Policy.Source)
	}
	if l.User != nil {
		parts = append(parts, l.User.Source)
	}
	switch n := len(sourcesOf(l.Found)); {
	case l.Discovered != nil && n == 0:
		parts = append(parts, "discovery (nothing found)")
	case l.Discovered != nil:
		parts = append(parts, "discovered ("+plural(n, "source")+")")
	default:
		parts = append(parts, "discovery off")
	}
	parts = append(parts, config.EmbeddedSource)
	return strings.Join(parts, " > ")
}

// sourcesOf lists the distinct files (or bus objects) discovery read.
func sourcesOf(found []Found) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range found {
		if !seen[f.Source] {
			seen[f.Source] = true
			out = append(out, f.Source)
		}
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// Origins says where each discovered key's value was read, for the
// comments of the file `config init` writes.
func (l Layers) Origins() config.Origins {
	o := config.Origins{}
	add := func(key, src string) {
		if !slices.Contains(o[key], src) {
			o[key] = append(o[key], src)
		}
	}
	for _, f := range l.Found {
		switch {
		case f.Kind == KindSSH && len(f.ForwardPorts) > 0:
			for _, p := range f.ForwardPorts {
				add("ssh.forward_ports", portLine(f.Source, strconv.Itoa(int(p))))
			}
		case len(f.Ports) > 0:
			for _, p := range f.Ports {
				_, num, _ := strings.Cut(p, "/")
				add("vpn.ports", portLine(f.Source, num))
			}
		}
		if len(f.Devices) > 0 {
			add("vpn.devices", f.Source)
		}
		if len(f.Clients) > 0 {
			add("vpn.clients", f.Source)
		}
		if f.Adapter != "" {
			add("vpn.adapter", f.Source)
		}
	}
	return o
}

// InitTOML is the commented-out file for path with l's values and their
// sources (see config.InitTOML).
func (l Layers) InitTOML(path string) []byte {
	return config.InitTOML(path, l.Settings(), l.Origins(), "")
}

// portKeywords are the directives that set a local port in the files
// discovery reads (OpenVPN, WireGuard, ssh).
var portKeywords = []string{"port", "lport", "listenport", "localforward", "dynamicforward"}

// portLine is "FILE:LINE" for the one line of source that sets local port
// num, or just FILE when no line, or more than one, does (an Include, a
// bus object): a comment never points at a wrong line.
func portLine(source, num string) string {
	if !filepath.IsAbs(source) {
		return source
	}
	data, err := safefile.ReadFile(source, maxFileSize)
	if err != nil {
		return source
	}
	found := 0
	for i, line := range strings.Split(string(data), "\n") {
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == '=' || r == '\r' })
		if len(fields) < 2 || !slices.Contains(portKeywords, strings.ToLower(fields[0])) {
			continue
		}
		// The local port is the directive's first argument, or its last
		// part after a bind address ("127.0.0.1:15432", "[::1]:15432").
		arg := fields[1]
		if i := strings.LastIndexByte(arg, ':'); i >= 0 {
			arg = arg[i+1:]
		}
		if arg != num {
			continue
		}
		if found != 0 {
			return source
		}
		found = i + 1
	}
	if found == 0 {
		return source
	}
	return source + ":" + strconv.Itoa(found)
}
