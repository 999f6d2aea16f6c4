//go:build !windows

package main

// windowsUserDirs does nothing outside Windows: XDG_CONFIG_HOME,
// XDG_CACHE_HOME and HOME already cover every per-user path there.
func windowsUserDirs(setenv func(k, v string), dir, name string) func() { return func() {} }
