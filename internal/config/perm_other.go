//go:build !unix

package config

// checkPrivate has no mode bits to check off Unix. On Windows the config
// lives under the user's own %AppData%, whose ACL admits only the user,
// SYSTEM and administrators; checking a moved config's ACL is left to a
// later change.
func checkPrivate(string) error { return nil }
