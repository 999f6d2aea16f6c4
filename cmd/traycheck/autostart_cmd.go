package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/traycheck/traycheck/internal/autostart"
	"github.com/traycheck/traycheck/internal/cli"
)

// runAutostart is `traycheck autostart enable|disable|status`, the same code
// as the tray's "Start at login" checkbox. Exit 1 when an entry traycheck
// did not write is in the way or the change failed.
func runAutostart(_ context.Context, e *env, args []string) error {
	const synopsis = "usage: traycheck autostart enable|disable|status"
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, synopsis)
		return cli.ErrPrinted
	}
	var err error
	switch args[0] {
	case "enable":
		err = autostart.Enable()
	case "disable":
		err = autostart.Disable()
	case "status":
	case "-h", "--help", "-help", "help":
		return &cli.Help{Text: synopsis + "\n"}
	default:
		return cli.UsageError(fmt.Errorf("unknown action %q; want enable, disable or status", args[0]), suggestWord(args[0], "enable", "disable", "status")...)
	}
	if err != nil {
		var hints []string
		if errors.Is(err, autostart.ErrForeign) {
			hints = append(hints, "traycheck leaves entries it did not write alone; edit or remove it yourself")
		}
		return &cli.Error{Code: cli.ExitAttention, Err: err, Hints: hints}
	}
	s, err := autostart.Status()
	if err != nil {
		return &cli.Error{Code: cli.ExitAttention, Err: err}
	}
	fmt.Fprintln(e.stdout, s)
	return nil
}
