//go:build !unix

package config

// notADevice has nothing to check where devices are COM port names, not
// files (Windows).
func notADevice(string) string { return "" }
