package config

import (
	"strings"
	"testing"
)

// discover = false is a top-level key; under a table, or not a boolean, it
// is refused with its place and what was meant.
func TestDiscoverKey(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("discover = false\n[check]\ninterval = \"45s\"\n"))
	if err != nil || !cfg.NoDiscover || strings.Join(cfg.Keys, ",") != "discover,check.interval" {
		t.Fatalf("discover = false: %+v, %v", cfg, err)
	}
	if DiscoveryOn(cfg, nil) {
		t.Error("discovery on under discover = false")
	}
	if cfg, _ := Parse("c.toml", []byte("[vpn]\nname = \"x\"\n")); !DiscoveryOn(cfg, nil) || !DiscoveryOn(nil, nil) {
		t.Error("discovery off without discover = false")
	}
	pol, err := ParsePolicy("p.toml", []byte("discover = true\n"), nil)
	if err != nil || !DiscoveryOn(cfg, pol) {
		t.Errorf("the policy's discover = true does not win over the file's false: %v", err)
	}
	for text, want := range map[string]string{
		"[check]\ndiscover = false\n": "c.toml:2:1: discover is a top-level key, not one of [check]",
		"discover = \"no\"\n":         "c.toml:1:1: discover must be true or false, not a string",
	} {
		if _, err := Parse("c.toml", []byte(text)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %s…", text, err, want)
		}
	}
}
