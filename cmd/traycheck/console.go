package main

import (
	"context"

	"github.com/traycheck/traycheck/internal/cli"
	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/fleet"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/session"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// runLoop is the one wiring of the watch loop for watch, the console mode
// and the tray: the prober, the suspend/resume events, the sinks and the
// journal. With srv it takes actions (the tray, the console mode as the
// session's instance), and with the lock it also answers later launches
// through srv. body runs the mode until it ends (nil: the loop alone, until
// ctx ends).
func runLoop(ctx context.Context, e *env, cfg *config.Config, sinks []monitor.Sink, lock *instance.Lock,
	srv *session.Server, body func(ctx context.Context, m *monitor.Monitor) error) error {
	prober := vpnport.New()
	defer prober.Close()
	events, err := power.Watch(ctx, power.Options{Log: e.log})
	if err != nil {
		e.log.Warn("no suspend/resume events; checking on the interval only", "err", err)
	}
	// The fleet's sinks (the machine policy's, and watch --textfile).
	var fleetNames []string
	share := false
	if cfg.Policy != nil {
		fleetNames, share = cfg.Policy.Sinks, cfg.Policy.ShareCmdline
	}
	fleetSinks, closeFleet := fleet.Sinks(fleetNames, e.textfile, share, e.log)
	defer closeFleet()
	sinks = append(append(sinks, fleetSinks...), monitor.JournalSink{J: e.journal})
	opts := monitor.Options{Config: cfg, Prober: prober, Power: events, Sinks: sinks, Log: e.log}
	if lock != nil {
		defer lock.Release()
	}
	if srv != nil {
		opts.Remedy = remedy.New(remedy.ConfigOptions(cfg, e.log))
	}
	m, err := monitor.New(opts)
	if err != nil {
		return cli.UsageError(err)
	}
	if lock != nil && srv != nil {
		srv.Loop = m
		if s, err := lock.Listen(srv.Handle, e.log); err != nil {
			e.log.Warn("later launches cannot reach this one (check-now, actions)", "err", err)
		} else {
			defer s.Close()
		}
	}
	e.log.Debug("watching", "config", cfg.Source, "resources", len(cfg.Resources()), "interval", cfg.Interval)
	if body == nil {
		return m.Run(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	err = body(ctx, m)
	cancel()
	<-done
	return err
}
