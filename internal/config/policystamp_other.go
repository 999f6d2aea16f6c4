//go:build !windows

package config

// PolicyFiles are the files the machine policy is read from, for the live
// reload to watch.
func PolicyFiles() []string { return []string{PolicyPath} }

// PolicyStamp is "" here: the policy is a file, which PolicyFiles lists.
func PolicyStamp() string { return "" }
