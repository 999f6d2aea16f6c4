package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/traycheck/traycheck/internal/tray"
)

// runDefault is `traycheck [--config FILE] [--json]` with no subcommand: the
// tray app where there is a desktop, else the console mode of `traycheck
// watch`, saying so on stderr (a user who started it from a terminal on a
// server should know why no icon appears).
func runDefault(ctx context.Context, e *env, args []string) int {
	fl := flag.NewFlagSet("traycheck", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	cfgPath := fl.String("config", "", "config file (default: the user config file, else the embedded default)")
	asJSON := fl.Bool("json", false, "in console mode, print one JSON object per line")
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(e.stderr, "traycheck: unexpected argument %q\n", fl.Arg(0))
		return exitUsage
	}
	cfg, code := loadConfig(e, *cfgPath)
	if cfg == nil {
		return code
	}
	host, err := tray.Preflight(ctx)
	if err == nil {
		return runTray(ctx, e, cfg, *cfgPath, host)
	}
	if !errors.Is(err, tray.ErrNoDesktop) {
		e.log.Warn("cannot show a tray icon", "err", err)
	}
	fmt.Fprintln(e.stderr, "traycheck: no desktop session, running in console mode (as `traycheck watch`); stop with Ctrl-C")
	return watchConsole(ctx, e, cfg, *asJSON)
}
