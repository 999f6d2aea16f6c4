package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
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
	return runConsole(ctx, e, cfg, *asJSON)
}

// runConsole is the bare traycheck without a desktop: the loop of
// `traycheck watch`, but as this session's one traycheck, like the tray: a
// second bare launch hands over, and `traycheck check-now` reaches it. An
// explicit `traycheck watch` stays out of this, so a terminal watch beside
// the tray keeps working.
func runConsole(ctx context.Context, e *env, cfg *config.Config, asJSON bool) int {
	lock, code, ok := claimInstance(ctx, e)
	if !ok {
		return code // another traycheck runs in this session and was asked to check now
	}
	if lock != nil {
		defer lock.Release()
	}
	fmt.Fprintln(e.stderr, "traycheck: no desktop session, running in console mode (as `traycheck watch`); stop with Ctrl-C")
	if lock == nil {
		// No instance endpoint, so no way for `traycheck action` to reach
		// this one: offer no actions rather than commands that cannot work.
		return consoleLoop(ctx, e, "traycheck", cfg, asJSON, nil, nil, nil)
	}
	tokens := instance.NewTokens(0)
	actor := newConsoleActor(e.stdout, asJSON, tokens)
	fwd := newForwarder()
	fwd.Hint = actor.hint
	runner := newRunner(e, cfg)
	serve := func(m *monitor.Monitor) func() {
		fwd.Attach(m)
		srv, err := fwd.Serve(lock, tokens, e)
		if err != nil {
			e.log.Warn("later launches cannot reach this one (check-now, actions)", "err", err)
			return nil
		}
		return func() { srv.Close() }
	}
	return consoleLoop(ctx, e, "traycheck", cfg, asJSON, trayRemedy(runner), []monitor.Sink{actor, fwd}, serve)
}
