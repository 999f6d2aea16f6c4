package config

import (
	"os/exec"
	"syscall"
)

// hideOpenerWindow keeps rundll32 from flashing a console window.
func hideOpenerWindow(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true}
}
