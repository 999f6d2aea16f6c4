//go:build !windows

package tray

import "os/exec"

// hideWindow is needed on Windows only.
func hideWindow(*exec.Cmd) {}
