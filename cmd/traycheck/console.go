package main

import (
	"context"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// consoleLoop runs the watch loop in the terminal: `traycheck watch`, and
// the bare `traycheck` without a desktop. extra sinks join the console's;
// setup, when set, runs once the monitor exists (the console fallback opens
// its IPC endpoint there) and returns what to undo at the end.
func consoleLoop(ctx context.Context, e *env, cfg *config.Config, asJSON bool,
	rem monitor.Remedy, extra []monitor.Sink, setup func(*monitor.Monitor) func()) error {
	prober := vpnport.New()
	defer prober.Close()
	sinks := append([]monitor.Sink{&console.Sink{W: e.stdout, JSON: asJSON}}, extra...)
	m, err := monitor.New(monitor.Options{Config: cfg, Prober: prober, Power: powerEvents(ctx, e),
		Sinks: append(sinks, monitor.JournalSink{J: e.journal}), Remedy: rem, Log: e.log})
	if err != nil {
		return usageError(err)
	}
	if setup != nil {
		if undo := setup(m); undo != nil {
			defer undo()
		}
	}
	e.log.Debug("watching", "config", cfg.Source, "resources", len(cfg.Resources()), "interval", cfg.Interval)
	return m.Run(ctx)
}

// powerEvents starts the suspend/resume sources for a watch loop; without
// any, the loop still checks on its interval.
func powerEvents(ctx context.Context, e *env) <-chan power.Event {
	events, err := power.Watch(ctx, power.Options{Log: e.log})
	if err != nil {
		e.log.Warn("no suspend/resume events; checking on the interval only", "err", err)
		return nil
	}
	return events
}
