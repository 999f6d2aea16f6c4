//go:build !windows && !darwin

package config

// PolicyPath is the machine policy file; tests point it elsewhere.
var PolicyPath = "/etc/traycheck/policy.toml"

// LoadMachinePolicy reads the machine policy; none is (nil, nil).
func LoadMachinePolicy(actions []string) (*Policy, error) {
	return LoadPolicyFile(PolicyPath, actions)
}
