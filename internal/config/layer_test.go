package config

import (
	"os"
	"path/filepath"
	"testing"
)

// A [triggers] key in the user's file survives the layering: the user who
// turns the journal off has it off, and a key the file leaves out keeps
// the layer below's.
func TestOverlayKeepsUserTriggers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte("[triggers]\njournald = false\nlogfiles = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	user, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	base := Default()
	base.TriggersOff = []string{"logfiles", "networkmanager"}
	eff := Overlay(base, user)
	for name, off := range map[string]bool{"journald": true, "logfiles": false, "networkmanager": true, "rasclient": false} {
		if eff.TriggerOff(name) != off {
			t.Errorf("triggers.%s off = %v, want %v (effective %v)", name, eff.TriggerOff(name), off, eff.TriggersOff)
		}
	}
	if len(base.TriggersOff) != 2 {
		t.Errorf("base changed: %v", base.TriggersOff)
	}
}
