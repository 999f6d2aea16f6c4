//go:build !windows

package config

// PolicyFiles are the files the machine policy is read from, for the live
// reload to watch.
func PolicyFiles() []string { return []string{PolicyPath} }
