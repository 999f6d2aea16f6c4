//go:build !windows

package config

import "os/exec"

func hideOpenerWindow(*exec.Cmd) {}
