package config

import (
	"slices"
	"strings"
)

// Overlay returns a copy of base with the values of the keys user's file set
// (user.Keys) taken from user: a key the file leaves out keeps base's value,
// which is what discovery found or the embedded default. Source becomes
// user's file. A nil user returns a copy of base.
func Overlay(base, user *Config) *Config {
	out := base.clone()
	if user == nil {
		return out
	}
	out.Source = user.Source
	out.Keys = slices.Clone(user.Keys)
	for _, k := range user.Keys {
		copyKey(out, user, k)
	}
	return out
}

// copyKey sets dst's value of key k (as Keys names it) to src's.
func copyKey(dst, src *Config, k string) {
	switch k {
	case DiscoverKey:
		dst.NoDiscover = src.NoDiscover
	case "vpn.name":
		dst.VPNName = src.VPNName
	case "vpn.ports":
		dst.Ports = slices.Clone(src.Ports)
	case "vpn.devices":
		dst.Devices = slices.Clone(src.Devices)
	case "vpn.clients":
		dst.Clients = slices.Clone(src.Clients)
	case "vpn.adapter":
		dst.Adapter = src.Adapter
	case "vpn.reconnect":
		dst.Reconnect = slices.Clone(src.Reconnect)
	case "ssh.forward_ports":
		dst.SSHForwardPorts = slices.Clone(src.SSHForwardPorts)
	case "check.interval":
		dst.Interval = src.Interval
	default:
		if t, name, _ := strings.Cut(k, "."); t == "triggers" {
			applyTrigger(dst, src, name)
		}
	}
}

// DiscoveryOn reports whether discovery runs under user's file (nil: none)
// and the machine policy (nil: none): it does unless either says
// `discover = false`, the policy's word winning.
func DiscoveryOn(user *Config, pol *Policy) bool {
	if pol != nil && slices.Contains(pol.Keys, DiscoverKey) {
		return !pol.Values.NoDiscover
	}
	return user == nil || !user.NoDiscover
}

// LoadUser reads the user's file at path ("" : DefaultPath()) as Load
// does, but returns nil and no error when the default file does not exist
// (or there is no config directory): the layers below it then stand alone.
func LoadUser(path string) (*Config, error) {
	cfg, err := Load(path)
	if err != nil || cfg.Source == EmbeddedSource {
		return nil, err
	}
	return cfg, nil
}
