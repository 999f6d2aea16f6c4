package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/session"
	"github.com/traycheck/traycheck/internal/tray"
)

// runDefault is `traycheck [--config FILE] [--json]` with no subcommand: the
// tray app where there is a desktop, else the console mode of `traycheck
// watch`, saying so on stderr (a user who started it from a terminal on a
// server should know why no icon appears).
func runDefault(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "traycheck", "traycheck [--json] [--config FILE]")
	cfgPath := configFlag(fs)
	asJSON := fs.Bool("json", false, "in console mode, print one JSON object per line")
	if _, err := parse(fs, args, 0); err != nil {
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
	return runConsole(ctx, e, cfg, *asJSON)
}

// runConsole is the bare traycheck without a desktop: the loop of
// `traycheck watch`, but as this session's one traycheck, like the tray: a
// second bare launch hands over, and `traycheck check-now` and `traycheck
// action` reach it. An explicit `traycheck watch` stays out of this, so a
// terminal watch beside the tray keeps working.
func runConsole(ctx context.Context, e *env, cfg *config.Config, asJSON bool) error {
	lock, err := claimInstance(ctx, e)
	if err != nil {
		return err // another traycheck runs in this session and was asked to check now
	}
	fmt.Fprintln(e.stderr, "traycheck: no desktop session, running in console mode (as `traycheck watch`); stop with Ctrl-C")
	if lock == nil {
		// No instance endpoint, so no way for `traycheck action` to reach
		// this one: offer no actions rather than commands that cannot work.
		return consoleLoop(ctx, e, cfg, asJSON, nil, nil, nil)
	}
	defer lock.Release()
	offers := offer.New(0)
	actor := &console.Actor{W: e.stdout, JSON: asJSON, Offers: offers}
	serve := func(m *monitor.Monitor) func() {
		return listen(e, lock, &session.Server{Loop: m, Offers: offers})
	}
	return consoleLoop(ctx, e, cfg, asJSON, remedy.New(remedy.ConfigOptions(cfg, e.log)), []monitor.Sink{actor}, serve)
}

// listen opens the instance endpoint for s; it returns what closes it.
func listen(e *env, lock *instance.Lock, s *session.Server) func() {
	srv, err := lock.Listen(s.Handle, e.log)
	if err != nil {
		e.log.Warn("later launches cannot reach this one (check-now, actions)", "err", err)
		return func() {}
	}
	return func() { srv.Close() }
}
