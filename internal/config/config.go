// Package config loads traycheck's one TOML file
// (os.UserConfigDir()/traycheck/config.toml) or, when it is absent, the
// embedded default. A config loads whole or not at all: any error names the
// file, line and column and what was expected, and no partial Config escapes.
package config

import (
	"time"

	"github.com/traycheck/traycheck/internal/vpnport"
)

// Config is a validated configuration. Every field is ready to use: ports are
// parsed, the interval is at least MinInterval.
type Config struct {
	// Source is the file it came from, or "(embedded default)".
	Source string
	// VPNName is the VPN's display name.
	VPNName string
	// Ports are the VPN's local ports (tcp/N, udp/N).
	Ports []vpnport.Resource
	// Devices are modem/serial/RAS devices (/dev/ttyUSB0, COM3).
	Devices []vpnport.Resource
	// Clients are program names that are the VPN client itself.
	Clients []string
	// SSHForwardPorts are local ports of ssh -L forwards to watch (tcp).
	SSHForwardPorts []uint16
	// Adapter is the network adapter for "Reset adapter" ("" = none).
	Adapter string
	// Reconnect is an optional argv run before a retry; never a shell string.
	Reconnect []string
	// Interval is how often the watch loop checks.
	Interval time.Duration
	// NoDiscover is set by `discover = false` (in the user's file or the
	// machine policy): the VPN's and ssh's own configuration files are then
	// not read, and only the file's values and the default are watched.
	NoDiscover bool
	// Keys are the keys the file set ("vpn.ports", "check.interval"), in
	// file order: `config show` says which values came from it.
	Keys []string
	// TriggersOff are the failure-event sources [triggers] turns off.
	TriggersOff []string
	// Policy is the machine policy applied over the file (nil: none); its
	// forbidden actions, sinks and command-line sharing reach the loop with
	// the config.
	Policy *Policy
}

// ForbidActions returns the actions the machine policy forbids (none
// without a policy).
func (c *Config) ForbidActions() []string {
	if c == nil || c.Policy == nil {
		return nil
	}
	return c.Policy.ForbidActions
}

// DiscoverKey is the top-level key that switches discovery off
// (`discover = false`); it is listed in Keys like the table keys.
const DiscoverKey = "discover"

// MinInterval is the shortest check interval a config may ask for.
const MinInterval = time.Second

// Resources returns every resource the config watches, in a stable order:
// ports, then ssh forward ports (tcp), then devices; duplicates removed.
func (c *Config) Resources() []vpnport.Resource {
	seen := map[vpnport.Resource]bool{}
	var out []vpnport.Resource
	add := func(r vpnport.Resource) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, r := range c.Ports {
		add(r)
	}
	for _, p := range c.SSHForwardPorts {
		add(vpnport.Resource{Kind: vpnport.TCP, Port: p})
	}
	for _, r := range c.Devices {
		add(r)
	}
	return out
}
