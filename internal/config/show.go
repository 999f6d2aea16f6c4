package config

import (
	"reflect"
	"slices"
)

// Where an effective value came from, as `traycheck config show` says.
const (
	FromDefault    = "default"
	FromDiscovered = "discovered"
	FromUser       = "user"
	FromPolicy     = "policy"
)

// Setting is one effective value and its source.
type Setting struct {
	Key    string `json:"-"`
	Value  any    `json:"value"`
	Source string `json:"source"`
}

// ShowKeys is every key `config show` lists, in its order.
var ShowKeys = []string{DiscoverKey, "vpn.name", "vpn.ports", "vpn.devices", "vpn.clients", "vpn.adapter", "vpn.reconnect",
	"ssh.forward_ports", "check.interval",
	"policy.forbid_actions", "policy.min_interval", "policy.max_interval", "policy.sinks", "policy.share_cmdline"}

// Show lists the effective config with each value's source. eff is what
// traycheck runs with; user is the user's file (nil when there is none);
// discovered is the embedded default with discovery applied (nil when
// discovery did not run: `discover = false`); pol is the machine policy
// (nil: none). The layers, lowest first: default, discovered, user, policy.
func Show(eff, user, discovered *Config, pol *Policy) []Setting {
	def := Default()
	out := make([]Setting, 0, len(ShowKeys))
	for _, k := range ShowKeys {
		s := Setting{Key: k, Value: value(eff, pol, k), Source: FromDefault}
		switch {
		case pol.Sets(k):
			s.Source = FromPolicy
		case k == "check.interval" && pol != nil && !reflect.DeepEqual(value(eff, nil, k), valueOf(userOr(user, discovered, def), k)):
			s.Source = FromPolicy // held within the policy's bounds
		case user != nil && slices.Contains(user.Keys, k):
			s.Source = FromUser
		case discovered != nil && !reflect.DeepEqual(valueOf(discovered, k), valueOf(def, k)):
			s.Source = FromDiscovered
		}
		out = append(out, s)
	}
	return out
}

func userOr(cs ...*Config) *Config {
	for _, c := range cs {
		if c != nil {
			return c
		}
	}
	return nil
}

func value(c *Config, pol *Policy, k string) any {
	switch k {
	case "policy.forbid_actions":
		if pol == nil {
			return []string{}
		}
		return nonNil(pol.ForbidActions)
	case "policy.min_interval", "policy.max_interval":
		if pol == nil {
			return ""
		}
		d := pol.MinInterval
		if k == "policy.max_interval" {
			d = pol.MaxInterval
		}
		if d == 0 {
			return ""
		}
		return d.String()
	case "policy.sinks":
		if pol == nil {
			return []string{}
		}
		return nonNil(pol.Sinks)
	case "policy.share_cmdline":
		return pol != nil && pol.ShareCmdline
	}
	return valueOf(c, k)
}

// valueOf renders a config key's value as its JSON form.
func valueOf(c *Config, k string) any {
	switch k {
	case DiscoverKey:
		return !c.NoDiscover
	case "vpn.name":
		return c.VPNName
	case "vpn.ports":
		ss := []string{}
		for _, r := range c.Ports {
			ss = append(ss, r.String())
		}
		return ss
	case "vpn.devices":
		ss := []string{}
		for _, r := range c.Devices {
			ss = append(ss, r.Path)
		}
		return ss
	case "vpn.clients":
		return nonNil(c.Clients)
	case "vpn.adapter":
		return c.Adapter
	case "vpn.reconnect":
		return nonNil(c.Reconnect)
	case "ssh.forward_ports":
		ps := []int{}
		for _, p := range c.SSHForwardPorts {
			ps = append(ps, int(p))
		}
		return ps
	case "check.interval":
		return c.Interval.String()
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
