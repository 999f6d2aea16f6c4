package main

import (
	"context"
	"fmt"
)

// runDefault is `traycheck` with no subcommand: the tray app, or console mode
// where there is no desktop. Replaced by the tray wiring when it lands.
func runDefault(ctx context.Context, e *env, args []string) int {
	if c, ok := commands["watch"]; ok {
		return c.run(ctx, e, args)
	}
	fmt.Fprintln(e.stderr, "traycheck: the watch loop is not available in this build; try `traycheck check`")
	return exitUsage
}
