package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/session"
	"github.com/traycheck/traycheck/internal/tray"
)

// runDefault is `traycheck [--config FILE] [--json]` with no subcommand: the
// tray app where there is a desktop, else the console mode of `traycheck
// watch`, saying so on stderr (a user who started it from a terminal on a
// server should know why no icon appears).
func runDefault(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "traycheck", "traycheck [--json] [--config FILE]")
	cfgPath := cli.ConfigFlag(fs)
	asJSON := fs.Bool("json", false, "in console mode, print one JSON object per line")
	if _, err := cli.Parse(fs, args, 0); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	host, err := tray.Preflight(ctx)
	if err == nil {
		return runTray(ctx, e, cfg, *cfgPath, host)
	}
	if !errors.Is(err, tray.ErrNoDesktop) {
		e.log.Warn("cannot show a tray icon", "err", err)
	}
	return runConsole(ctx, e, cfg, *asJSON, *cfgPath)
}

// runConsole is the bare traycheck without a desktop: the loop of
// `traycheck watch`, but as this session's one traycheck, like the tray: a
// second bare launch hands over, and `traycheck check-now` and `traycheck
// action` reach it. An explicit `traycheck watch` stays out of this, so a
// terminal watch beside the tray keeps working.
func runConsole(ctx context.Context, e *env, cfg *config.Config, asJSON bool, cfgPath string) error {
	lock, err := claimInstance(ctx, e)
	if err != nil {
		return err // another traycheck runs in this session and was asked to check now
	}
	fmt.Fprintln(e.stderr, "traycheck: no desktop session, running in console mode (as `traycheck watch`); stop with Ctrl-C")
	out := watchOut(e.stdout, asJSON)
	sinks := []monitor.Sink{&console.Sink{W: out, JSON: asJSON, Style: findingprint.Detect(e.stdout, findingprint.ColorAuto, os.Getenv)}, configNotes{w: out, asJSON: asJSON}}
	live := func(ctx context.Context, m *monitor.Monitor) error { // edits apply without a restart, as in watch
		liveReload(ctx, e, cfgPath, m, lock != nil, nil)
		<-ctx.Done()
		return nil
	}
	if lock == nil {
		// Without the instance endpoint `traycheck action` cannot reach
		// this one: no actions are offered rather than dead commands.
		return runLoop(ctx, e, cfg, sinks, nil, nil, live)
	}
	offers := offer.New(0)
	sinks = append(sinks, &console.Actor{W: out, JSON: asJSON, Offers: offers})
	return runLoop(ctx, e, cfg, sinks, lock, &session.Server{Offers: offers}, live)
}
