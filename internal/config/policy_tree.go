package config

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// PolicyTree is a policy as the registry or a managed-preferences plist
// holds it: tables ("vpn", "policy") of named values, each a string, a list
// of strings, an integer, a list of integers or a boolean. It is turned into
// the TOML the policy file would hold and parsed by the same code, so every
// source obeys the same schema; errors name the registry value or plist key.
type PolicyTree map[string]map[string]any

// ParsePolicyTree parses a policy tree; where names a value for errors
// (e.g. `HKLM\Software\Policies\traycheck\vpn\ports`).
func ParsePolicyTree(source string, tree PolicyTree, where func(table, key string) string, actions []string) (*Policy, error) {
	var b bytes.Buffer
	line := 1
	at := map[int]string{} // TOML line -> table.key
	tables := make([]string, 0, len(tree))
	for t := range tree {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		if t == "" {
			for k := range tree[t] {
				return nil, &Error{File: where("", k), Msg: "a value directly under the policy key; put it under vpn, ssh, check or policy"}
			}
			continue
		}
		fmt.Fprintf(&b, "[%s]\n", tomlKey(t))
		at[line] = t
		line++
		keys := make([]string, 0, len(tree[t]))
		for k := range tree[t] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, err := toml.Marshal(map[string]any{"v": tree[t][k]})
			if err != nil {
				return nil, &Error{File: where(t, k), Msg: "unsupported value type " + fmt.Sprintf("%T", tree[t][k]), Err: err}
			}
			val := strings.TrimSpace(strings.TrimPrefix(string(v), "v = "))
			fmt.Fprintf(&b, "%s = %s\n", tomlKey(k), val)
			at[line] = t + "." + k
			line++
		}
	}
	pol, err := ParsePolicy(source, b.Bytes(), actions)
	var ce *Error
	if errors.As(err, &ce) && ce.Line > 0 {
		name := at[ce.Line]
		t, k, _ := strings.Cut(name, ".")
		return nil, &Error{File: where(t, k), Msg: ce.Msg, Err: ce.Err}
	}
	return pol, err
}

// tomlKey quotes a key that is not a bare TOML key.
func tomlKey(k string) string {
	if k != "" && !strings.ContainsFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) {
		return k
	}
	b, _ := toml.Marshal(map[string]string{"v": k})
	return strings.TrimSpace(strings.TrimPrefix(string(b), "v = "))
}

// PolicyKeys lists every key a policy tree may hold, as table.key: the ADMX
// template and the plist documentation must name only these.
func PolicyKeys() []string {
	var out []string
	for t, ks := range schema {
		for _, k := range ks {
			out = append(out, t+"."+k)
		}
	}
	for _, k := range policySchema {
		out = append(out, "policy."+k)
	}
	slices.Sort(out)
	return out
}
