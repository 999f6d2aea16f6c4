package config

import (
	"slices"

	"github.com/BurntSushi/toml"
)

// TriggerSources are the failure-event sources a [triggers] key may turn
// off: `triggers.journald = false`.
var TriggerSources = []string{"journald", "networkmanager", "rasclient", "logfiles"}

func init() { schema["triggers"] = TriggerSources }

// TriggerOff reports whether the config (or the machine policy over it)
// turns the failure-event source name off.
func (c *Config) TriggerOff(name string) bool {
	return slices.Contains(c.TriggersOff, name)
}

// TriggerOffBy names what turned name off, for `config show`.
func (c *Config) TriggerOffBy(name string) string {
	if c.Policy.Sets("triggers." + name) {
		return "policy (" + c.Policy.Source + ")"
	}
	return "config triggers." + name + " = false"
}

// trigger reads one [triggers] key: true (the default) or false.
func (p *parser) trigger(cfg *Config, key toml.Key, v any) *Error {
	b, ok := v.(bool)
	if !ok {
		return p.keyErr(key, "%s must be true or false, not %s", key, typeName(v))
	}
	cfg.TriggersOff = slices.DeleteFunc(cfg.TriggersOff, func(s string) bool { return s == key[1] })
	if !b {
		cfg.TriggersOff = append(cfg.TriggersOff, key[1])
	}
	return nil
}

// applyTrigger carries src's triggers.NAME (the user's file's, the
// policy's) over dst's.
func applyTrigger(dst, src *Config, name string) {
	dst.TriggersOff = slices.DeleteFunc(slices.Clone(dst.TriggersOff), func(s string) bool { return s == name })
	if src.TriggerOff(name) {
		dst.TriggersOff = append(dst.TriggersOff, name)
	}
}
