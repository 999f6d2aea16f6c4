//go:build !unix && !windows

package config

// checkPrivate has nothing to check on systems with neither Unix modes nor
// Windows ACLs (plan9, js, wasip1), where traycheck does not run anyway.
func checkPrivate(string) error { return nil }
