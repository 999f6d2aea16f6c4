package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/traycheck/traycheck/internal/autostart"
)

func init() {
	register(&command{name: "autostart", summary: "start traycheck at login: enable, disable or status", run: runAutostart})
}

// runAutostart is `traycheck autostart enable|disable|status`, the same code
// as the tray's "Start at login" checkbox. Exit 1 when an entry traycheck
// did not write is in the way or the change failed.
func runAutostart(_ context.Context, e *env, args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "usage: traycheck autostart enable|disable|status")
		return exitUsage
	}
	var err error
	switch args[0] {
	case "enable":
		err = autostart.Enable()
	case "disable":
		err = autostart.Disable()
	case "status":
	case "-h", "--help", "help":
		fmt.Fprintln(e.stderr, "usage: traycheck autostart enable|disable|status")
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "traycheck autostart: unknown action %q; want enable, disable or status\n", args[0])
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck autostart %s: %v\n", args[0], err)
		if errors.Is(err, autostart.ErrForeign) {
			fmt.Fprintln(e.stderr, "traycheck leaves entries it did not write alone; edit or remove it yourself")
		}
		return exitAttention
	}
	s, err := autostart.Status()
	if err != nil {
		fmt.Fprintf(e.stderr, "traycheck autostart status: %v\n", err)
		return exitAttention
	}
	fmt.Fprintln(e.stdout, s)
	return exitOK
}
