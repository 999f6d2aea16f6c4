package config

import (
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// The machine policy's registry key (Group Policy writes it from the ADMX
// template); tests point PolicyRoot and PolicyKey at a key of their own.
var (
	PolicyRoot = registry.LOCAL_MACHINE
	PolicyKey  = `Software\Policies\traycheck`
)

// policyRootName names PolicyRoot in messages.
func policyRootName() string {
	if PolicyRoot == registry.LOCAL_MACHINE {
		return "HKLM"
	}
	return "HKCU"
}

// LoadMachinePolicy reads the policy key: one subkey per table (vpn, ssh,
// check, policy), one value per setting (REG_SZ, REG_MULTI_SZ for lists,
// REG_DWORD for share_cmdline). No key is no policy (nil, nil).
func LoadMachinePolicy(actions []string) (*Policy, error) {
	source := policyRootName() + `\` + PolicyKey
	k, err := registry.OpenKey(PolicyRoot, PolicyKey, registry.READ)
	if err != nil {
		if errors.Is(err, registry.ErrNotExist) || errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
			return nil, nil
		}
		return nil, &Error{File: source, Msg: "cannot read the policy key: " + err.Error(), Err: err}
	}
	defer k.Close()
	tree := PolicyTree{}
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, &Error{File: source, Msg: err.Error(), Err: err}
	}
	if len(names) > 0 {
		tree[""] = map[string]any{names[0]: nil}
	}
	tables, err := k.ReadSubKeyNames(0)
	if err != nil {
		return nil, &Error{File: source, Msg: err.Error(), Err: err}
	}
	for _, t := range tables {
		sk, err := registry.OpenKey(k, t, registry.READ)
		if err != nil {
			return nil, &Error{File: source + `\` + t, Msg: err.Error(), Err: err}
		}
		vals, err := readPolicyValues(sk, t)
		sk.Close()
		if err != nil {
			return nil, &Error{File: source + `\` + t, Msg: err.Error(), Err: err}
		}
		tree[t] = vals
	}
	return ParsePolicyTree(source, tree, func(t, name string) string {
		if t == "" {
			return source + `\` + name
		}
		return source + `\` + t + `\` + name
	}, actions)
}

func readPolicyValues(k registry.Key, table string) (map[string]any, error) {
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, n := range names {
		_, typ, err := k.GetValue(n, nil)
		if err != nil {
			return nil, err
		}
		switch typ {
		case registry.SZ, registry.EXPAND_SZ:
			s, _, err := k.GetStringValue(n)
			if err != nil {
				return nil, err
			}
			out[n] = s
		case registry.MULTI_SZ:
			ss, _, err := k.GetStringsValue(n)
			if err != nil {
				return nil, err
			}
			out[n] = multiValue(table, n, ss)
		case registry.DWORD, registry.QWORD:
			v, _, err := k.GetIntegerValue(n)
			if err != nil {
				return nil, err
			}
			if table == "policy" && n == "share_cmdline" || table == "triggers" {
				out[n] = v != 0
			} else {
				out[n] = int64(v)
			}
		default:
			return nil, fmt.Errorf("%s: unsupported registry type %d; want REG_SZ, REG_MULTI_SZ or REG_DWORD", n, typ)
		}
	}
	return out, nil
}

// multiValue turns a REG_MULTI_SZ into the list type the key wants:
// forward_ports are numbers (a value that is not one stays a string, so
// the parser names it).
func multiValue(table, name string, ss []string) any {
	if table != "ssh" || name != "forward_ports" {
		return ss
	}
	ns := make([]int64, 0, len(ss))
	for _, s := range ss {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return ss
		}
		ns = append(ns, n)
	}
	return ns
}
