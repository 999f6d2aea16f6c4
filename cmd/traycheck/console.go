package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/console"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/report"
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
		Sinks: append(sinks, journalSink{e.journal}), Remedy: rem, Log: e.log})
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

// journalSink records what happened for `traycheck report`: every
// transition, every action's outcome and every suspend and resume.
type journalSink struct{ j *report.Journal }

func (s journalSink) Checking(monitor.Trigger) {}

func (s journalSink) Result(r monitor.Report) {
	for _, f := range r.Transitions {
		s.write(report.Event{At: r.At, Kind: "finding", Resource: f.Resource.String(), What: string(f.Cause), Detail: f.Message})
	}
	if o := r.Action; o != nil {
		ev := report.Event{At: r.At, Kind: "action", Resource: o.Request.Resource.String(), What: string(o.Request.Action),
			Detail: "done: " + o.Result.Message}
		switch {
		case o.Confirm != nil:
			ev.Detail = "asked: " + o.Confirm.Prompt()
		case o.Err != nil:
			ev.Detail = "failed: " + o.Err.Error()
		}
		s.write(ev)
	}
}

func (s journalSink) Power(ev power.Event) {
	detail := fmt.Sprintf("slept %s (%s)", ev.Slept.Round(1e9), ev.Source)
	if ev.Kind != power.Resume {
		detail = "source " + ev.Source
	}
	s.write(report.Event{At: ev.At, Kind: "power", What: ev.Kind.String(), Detail: detail})
}

func (s journalSink) write(ev report.Event) {
	if err := s.j.Write(ev); err != nil {
		// The journal is a convenience for the report; losing a line must
		// not stop the loop, but it should not pass silently either.
		slog.Warn("writing the journal", "err", err)
	}
}
