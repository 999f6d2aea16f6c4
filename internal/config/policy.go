package config

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Policy is the machine's policy, set by an administrator where users cannot
// write (/etc/traycheck/policy.toml, HKLM\Software\Policies\traycheck, the
// managed preferences plist). It takes the config file's own keys, which win
// over the user's, plus a [policy] table.
type Policy struct {
	// Source names where it came from (a file, a registry key).
	Source string
	// Values holds the config keys the policy sets; Keys lists them.
	Values *Config
	Keys   []string
	// ForbidActions are action ids never offered nor carried out.
	ForbidActions []string
	// MinInterval and MaxInterval bound check.interval (0: no bound).
	MinInterval, MaxInterval time.Duration
	// Sinks are the fleet event sinks to feed: "journal", "eventlog",
	// "textfile".
	Sinks []string
	// ShareCmdline lets holders' command lines into events.
	ShareCmdline bool
	// SetKeys lists the [policy] keys the source set, for `config show`.
	SetKeys []string

	knownActions []string // while parsing
}

// policySchema is the [policy] table's keys.
var policySchema = []string{"forbid_actions", "min_interval", "max_interval", "sinks", "share_cmdline"}

// PolicySinks are the sinks a policy may name.
var PolicySinks = []string{"journal", "eventlog", "textfile"}

// ParsePolicy reads a machine policy; name is used in errors, which carry
// the line and column as config errors do. actions are the action ids
// forbid_actions may name (the caller passes diagnose's list: config sits
// below diagnose).
func ParsePolicy(name string, data []byte, actions []string) (*Policy, error) {
	pol := &Policy{Source: name, knownActions: actions}
	vals, err := parseWith(name, data, Default(), pol)
	if err != nil {
		return nil, err
	}
	pol.Values, pol.Keys = vals, vals.Keys
	if pol.MinInterval > 0 && pol.MaxInterval > 0 && pol.MinInterval > pol.MaxInterval {
		return nil, &Error{File: name, Msg: fmt.Sprintf("policy.min_interval %s is above policy.max_interval %s", pol.MinInterval, pol.MaxInterval)}
	}
	pol.knownActions = nil
	return pol, nil
}

// LoadPolicyFile reads the policy at path; a missing file is no policy (nil,
// nil). It is read like the config (bounded, never blocking on a FIFO).
func LoadPolicyFile(path string, actions []string) (*Policy, error) {
	data, err := readFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	return ParsePolicy(path, data, actions)
}

// Apply returns c with the policy's values over it: every key the policy
// sets replaces the user's, and the interval is held within the policy's
// bounds. A nil policy returns c unchanged.
func (p *Policy) Apply(c *Config) *Config {
	if p == nil {
		return c
	}
	out := c.clone()
	out.Policy = p
	for _, k := range p.Keys {
		copyKey(out, p.Values, k)
	}
	if p.MinInterval > 0 && out.Interval < p.MinInterval {
		out.Interval = p.MinInterval
	}
	if p.MaxInterval > 0 && out.Interval > p.MaxInterval {
		out.Interval = p.MaxInterval
	}
	return out
}

// Forbids reports whether the policy forbids action id a.
func (p *Policy) Forbids(a string) bool {
	return p != nil && slices.Contains(p.ForbidActions, a)
}

// Sets reports whether the policy sets key ("vpn.ports", "policy.sinks").
func (p *Policy) Sets(key string) bool {
	return p != nil && (slices.Contains(p.Keys, key) || slices.Contains(p.SetKeys, key))
}

func (p *parser) policyKey(key toml.Key, v any) *Error {
	pol := p.pol
	var err *Error
	switch key[1] {
	case "forbid_actions":
		var ids []string
		ids, err = p.strings(key, v, `["end-process", "reboot-suggested"]`)
		for _, id := range ids {
			if err == nil && !slices.Contains(pol.knownActions, id) {
				err = p.elemErr(key, id, "unknown action %q; want action ids such as %s", id, strings.Join(pol.knownActions, ", "))
			}
		}
		pol.ForbidActions = ids
	case "min_interval":
		pol.MinInterval, err = p.interval(key, v)
	case "max_interval":
		pol.MaxInterval, err = p.interval(key, v)
	case "sinks":
		var ss []string
		ss, err = p.strings(key, v, `["journal", "textfile"]`)
		for _, s := range ss {
			if err == nil && !slices.Contains(PolicySinks, s) {
				err = p.elemErr(key, s, "unknown sink %q; want %s", s, strings.Join(PolicySinks, ", "))
			}
		}
		pol.Sinks = ss
	case "share_cmdline":
		b, ok := v.(bool)
		if !ok {
			err = p.keyErr(key, "policy.share_cmdline must be true or false, not %s", typeName(v))
		}
		pol.ShareCmdline = b
	}
	if err == nil {
		pol.SetKeys = append(pol.SetKeys, key.String())
	}
	return err
}
