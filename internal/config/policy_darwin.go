package config

import (
	"errors"
	"io/fs"
)

// PolicyPath is the managed-preferences plist an MDM profile installs.
var PolicyPath = "/Library/Managed Preferences/" + MacPolicyDomain + ".plist"

// LoadMachinePolicy reads the managed preferences; none is (nil, nil).
func LoadMachinePolicy(actions []string) (*Policy, error) {
	data, err := readFile(PolicyPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	return ParsePolicyPlist(PolicyPath, data, actions)
}
