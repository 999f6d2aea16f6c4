package main

import (
	"context"
	"errors"

	"github.com/traycheck/traycheck/internal/autostart"
	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/lifecycle"
	"github.com/traycheck/traycheck/internal/logfile"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/report"
	"github.com/traycheck/traycheck/internal/session"
	"github.com/traycheck/traycheck/internal/tray"
)

// runTrayCmd is `traycheck tray [--config FILE]`: the tray app, refusing to
// start where there is no desktop (the bare `traycheck` falls back to the
// console instead).
func runTrayCmd(ctx context.Context, e *env, args []string) error {
	fs := cli.NewFlagSet(e.stderr, "tray", "traycheck tray [--config FILE]")
	cfgPath := cli.ConfigFlag(fs)
	if _, err := cli.Parse(fs, args, 0); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	host, err := tray.Preflight(ctx)
	if err != nil {
		return cli.UsageError(err, "run `traycheck watch` for the console mode")
	}
	return runTray(ctx, e, cfg, *cfgPath, host)
}

// runTray wires the watch loop to the tray and notifications and blocks
// until the user quits or ctx ends.
func runTray(ctx context.Context, e *env, cfg *config.Config, cfgPath string, host bool) error {
	lock, err := claimInstance(ctx, e)
	if err != nil {
		return err // another traycheck runs in this session and was asked to check now
	}
	// Reconnecting: a session bus that restarts, or a notification daemon
	// that starts after traycheck, gets the next note on the new connection.
	n := notify.NewReconnecting(ctx, notify.Options{Log: e.log})
	defer n.Close()
	logPath, err := logfile.DefaultPath()
	if err != nil {
		e.log.Warn("no log file to open from the menu", "err", err)
	}
	offers := offer.New(0)
	shownCfg := cfgPath
	if shownCfg == "" {
		shownCfg, _ = config.DefaultPath()
	}
	ctrl := tray.NewController(tray.Options{Notifier: n, Offers: offers, OpenConfig: tray.ConfigOpener(cfgPath, e.log),
		Diagnostics: diagnosticsWriter(cfgPath, e.journal.Run()), LogPath: logPath, Autostart: autostart.Switch{}, Log: e.log,
		Version: version, ConfigPath: shownCfg, Connection: tray.Connections(cfg)})
	// A forwarded action is a note's answer (a toast's URI): the controller
	// vets and shows it like a click.
	srv := &session.Server{Offers: offers, Notes: ctrl.Answer}
	// A VPN client's own failure event: one note naming the connection,
	// its error and the holder, answered through the same ledger.
	failures := monitor.NewFailureNotes(n, offers, e.log)
	sinks := withConfigNotes(ctx, []monitor.Sink{ctrl, failures}, ctrl, n, e.log) // a refused edit is a notification
	err = runLoop(ctx, e, cfg, sinks, lock, srv, func(ctx context.Context, m *monitor.Monitor) error {
		ctrl.Attach(m)
		go liveReload(ctx, e, cfgPath, m, true, nil) // edits apply without a restart
		go failures.Run(ctx)
		startTriggers(ctx, e, cfg, m)
		e.log.Info("tray started", "config", cfg.Source, "resources", len(cfg.Resources()), "tray_host", host)
		return tray.Run(ctx, ctrl, host)
	})
	if errors.Is(err, tray.ErrBusLost) {
		ready := func(ctx context.Context) error { _, err := tray.Preflight(ctx); return err }
		if lifecycle.RestartAfterBusLoss(ctx, e.log, ready) != nil {
			return cli.ExitStatus(cli.ExitProbe)
		}
		return nil
	}
	if err != nil {
		return cli.UsageError(err)
	}
	return nil
}

// diagnosticsWriter is the tray's "Copy diagnostics": the redacted report
// `traycheck report` prints, saved for attaching, with the config loaded
// afresh through the same layers (so it shows what a reload made current)
// and only this tray's journal run. A failed probe still gives a report (it
// says why).
func diagnosticsWriter(cfgPath, run string) func(ctx context.Context) (string, []byte, error) {
	return func(ctx context.Context) (string, []byte, error) {
		r, _ := report.Collect(ctx, reportInput(cfgPath, run), false, reportCheck)
		return report.SaveText(r)
	}
}
