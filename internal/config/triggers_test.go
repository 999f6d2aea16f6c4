package config

import (
	"strings"
	"testing"
)

func TestTriggerKeys(t *testing.T) {
	c, err := Parse("user.toml", []byte("[triggers]\njournald = false\nnetworkmanager = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.TriggerOff("journald") || c.TriggerOff("networkmanager") || c.TriggerOff("rasclient") {
		t.Fatalf("off: %v", c.TriggersOff)
	}
	if by := c.TriggerOffBy("journald"); by != "config triggers.journald = false" {
		t.Errorf("by %q", by)
	}
	pol, err := ParsePolicy("policy.toml", []byte("[triggers]\nnetworkmanager = false\njournald = true\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	eff := pol.Apply(c)
	if eff.TriggerOff("journald") || !eff.TriggerOff("networkmanager") {
		t.Fatalf("policy over user: off %v", eff.TriggersOff)
	}
	if by := eff.TriggerOffBy("networkmanager"); by != "policy (policy.toml)" {
		t.Errorf("by %q", by)
	}
	if !c.TriggerOff("journald") {
		t.Error("Apply changed the user's config")
	}
}

func TestTriggerKeyErrors(t *testing.T) {
	for in, want := range map[string]string{
		"[triggers]\njournald = \"no\"\n": "user.toml:2",
		"[triggers]\nsyslog = false\n":    `unknown key "syslog" in [triggers]; want one of journald, networkmanager, rasclient, logfiles`,
	} {
		_, err := Parse("user.toml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
