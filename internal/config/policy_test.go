package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var testActions = []string{"retry", "wait", "end-process", "reset-adapter", "reboot-suggested", "remove-lock", "use-other-port", "check-as-admin"}

func TestPolicyOverUser(t *testing.T) {
	t.Parallel()
	pol, err := ParsePolicy("policy.toml", []byte(`
[vpn]
ports = ["udp/4500"]
[policy]
forbid_actions = ["end-process", "reboot-suggested"]
min_interval = "10s"
max_interval = "5m"
sinks = ["journal", "textfile"]
share_cmdline = false
`), testActions)
	if err != nil {
		t.Fatal(err)
	}
	user, err := Parse("user.toml", []byte("[vpn]\nports = [\"udp/1194\"]\nadapter = \"tun0\"\n[check]\ninterval = \"2s\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	eff := pol.Apply(user)
	if len(eff.Ports) != 1 || eff.Ports[0].String() != "udp/4500" || eff.Adapter != "tun0" || eff.Interval != 10*time.Second {
		t.Fatalf("effective %+v", eff)
	}
	if !pol.Forbids("end-process") || pol.Forbids("retry") {
		t.Error("Forbids")
	}
	got := map[string]Setting{}
	for _, s := range Show(eff, user, nil, pol) {
		got[s.Key] = s
	}
	for k, want := range map[string]string{
		"vpn.ports": FromPolicy, "vpn.adapter": FromUser, "check.interval": FromPolicy, "vpn.name": FromDefault,
		"policy.forbid_actions": FromPolicy, "policy.share_cmdline": FromPolicy, "policy.sinks": FromPolicy,
	} {
		if got[k].Source != want {
			t.Errorf("%s: source %q, want %q (value %v)", k, got[k].Source, want, got[k].Value)
		}
	}
	if v := got["check.interval"].Value; v != "10s" {
		t.Errorf("interval shown %v", v)
	}
}

func TestShowDiscovered(t *testing.T) {
	t.Parallel()
	disc := Default()
	disc.Ports = disc.Ports[:2]
	got := Show(disc, nil, disc, nil)
	for _, s := range got {
		want := FromDefault
		if s.Key == "vpn.ports" {
			want = FromDiscovered
		}
		if s.Source != want {
			t.Errorf("%s: %s", s.Key, s.Source)
		}
	}
}

func TestPolicyErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ text, want string }{
		{"[policy]\nforbid_actions = [\"end-process\", \"format-disk\"]\n", `policy.toml:2:34: unknown action "format-disk"`},
		{"[policy]\nsinks = [\"syslog\"]\n", `policy.toml:2:10: unknown sink "syslog"`},
		{"[policy]\nshare_cmdline = \"yes\"\n", "policy.toml:2:1: policy.share_cmdline must be true or false, not a string"},
		{"[policy]\nmin_interval = \"5m\"\nmax_interval = \"1m\"\n", "policy.toml: policy.min_interval 5m0s is above policy.max_interval 1m0s"},
		{"[policy]\nallow = 1\n", `policy.toml:2:1: unknown key "allow" in [policy]`},
		{"[fleet]\n", `policy.toml:1:1: unknown key "fleet"; want one of the tables [vpn], [ssh], [check], [policy]`},
		{"[vpn]\nports = [\"udp/0\"]\n", `policy.toml:2:10: bad port "udp/0"`},
	} {
		_, err := ParsePolicy("policy.toml", []byte(tc.text), testActions)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %s", tc.text, err, tc.want)
		}
	}
	// The user's config never takes a [policy] table.
	if _, err := Parse("user.toml", []byte("[policy]\nshare_cmdline = true\n")); err == nil {
		t.Error("a user config set policy")
	}
}

func TestLoadPolicyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if p, err := LoadPolicyFile(filepath.Join(dir, "absent.toml"), testActions); p != nil || err != nil {
		t.Fatalf("absent: %v %v", p, err)
	}
	path := filepath.Join(dir, "policy.toml")
	os.WriteFile(path, []byte("[policy]\nsinks = [\"journal\"]\n"), 0o644)
	p, err := LoadPolicyFile(path, testActions)
	if err != nil || p.Source != path || len(p.Sinks) != 1 {
		t.Fatalf("%+v %v", p, err)
	}
}

func TestWriteShowJSONIsValid(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := WriteShowJSON(&b, Show(Default(), nil, nil, nil)); err != nil {
		t.Fatal(err)
	}
	var m map[string]struct {
		Value  any    `json:"value"`
		Source string `json:"source"`
	}
	if err := json.Unmarshal([]byte(b.String()), &m); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if m["vpn.ports"].Source != FromDefault || len(m) != len(ShowKeys) {
		t.Fatalf("%v", m)
	}
}
