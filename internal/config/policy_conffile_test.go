package config_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
)

// shippedPolicy is the /etc/traycheck/policy.toml the .deb and .rpm install
// (a conffile: administrators edit it in place).
const shippedPolicy = "../../packaging/linux/policy.toml"

// Its convention: prose comments start with "# ", and an example starts
// with "#" directly followed by a table header or a key.
var (
	exampleLine = regexp.MustCompile(`^#(\[[a-z_]+\]|[a-z_]+ = .*)$`)
	tableLine   = regexp.MustCompile(`^#\[([a-z_]+)\]$`)
	keyLine     = regexp.MustCompile(`^#([a-z_]+) = `)
	proseKey    = regexp.MustCompile(`\b(vpn|ssh|check|policy)\.[a-z_]+\b`)
)

func actionIDs() []string {
	var ids []string
	for _, a := range diagnose.Actions {
		ids = append(ids, string(a))
	}
	return ids
}

// As shipped the file parses and sets nothing: installing the package
// changes no user's traycheck until an administrator edits it.
func TestShippedPolicySetsNothing(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(shippedPolicy)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := config.ParsePolicy(shippedPolicy, data, actionIDs())
	if err != nil {
		t.Fatalf("the shipped policy does not parse: %v", err)
	}
	if len(pol.Keys) > 0 || len(pol.SetKeys) > 0 || len(pol.ForbidActions) > 0 || len(pol.Sinks) > 0 ||
		pol.MinInterval != 0 || pol.MaxInterval != 0 || pol.ShareCmdline {
		t.Errorf("the shipped policy sets %v %v: %+v", pol.Keys, pol.SetKeys, pol)
	}
}

// Every key the file names is one the policy reader knows, every key has an
// example, and the examples, uncommented, are a valid policy: an
// administrator who removes a "#" gets a working file.
func TestShippedPolicyExamples(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(shippedPolicy)
	if err != nil {
		t.Fatal(err)
	}
	known := config.PolicyKeys()
	var uncommented strings.Builder
	var named []string
	table := ""
	for i, line := range strings.Split(string(data), "\n") {
		if m := tableLine.FindStringSubmatch(line); m != nil {
			table = m[1]
		}
		if m := keyLine.FindStringSubmatch(line); m != nil {
			k := table + "." + m[1]
			if !slices.Contains(known, k) {
				t.Errorf("%s:%d: example of %s, which the policy reader does not know", shippedPolicy, i+1, k)
			}
			named = append(named, k)
		}
		if strings.HasPrefix(line, "# ") {
			for _, k := range proseKey.FindAllString(line, -1) {
				if !slices.Contains(known, k) {
					t.Errorf("%s:%d: the comment names %s, which the policy reader does not know", shippedPolicy, i+1, k)
				}
			}
		}
		if exampleLine.MatchString(line) {
			line = line[1:]
		} else if line != "" && !strings.HasPrefix(line, "# ") && line != "#" {
			t.Errorf("%s:%d: %q is neither a prose comment (\"# \") nor an example (\"#key = ...\")", shippedPolicy, i+1, line)
		}
		uncommented.WriteString(line + "\n")
	}
	for _, k := range known {
		if !slices.Contains(named, k) {
			t.Errorf("%s has no example for %s", shippedPolicy, k)
		}
	}
	pol, err := config.ParsePolicy("uncommented "+shippedPolicy, []byte(uncommented.String()), actionIDs())
	if err != nil {
		t.Fatalf("the examples, uncommented, do not parse: %v", err)
	}
	set := append(slices.Clone(pol.Keys), pol.SetKeys...)
	slices.Sort(set)
	if !slices.Equal(set, known) {
		t.Errorf("the uncommented examples set %v, want every key %v", set, known)
	}
	// The prose lists the values a list key takes; none may be missing.
	for _, v := range append(actionIDs(), config.PolicySinks...) {
		if !strings.Contains(string(data), v) {
			t.Errorf("%s does not mention %q", shippedPolicy, v)
		}
	}
}
