package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/offer"
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
	sinks := append([]monitor.Sink{&consoleSink{w: e.stdout, json: asJSON}}, extra...)
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

// consoleActor makes the console mode actionable: for each finding that
// needs attention it prints the `traycheck action` command with a token the
// ledger bound to that finding's resource, actions and holder; when an
// action needs confirmation it prints the question and the confirming
// command, whose token is bound to the PID the question names.
type consoleActor struct {
	w      io.Writer
	json   bool
	offers *offer.Ledger
}

func (a *consoleActor) Checking(monitor.Trigger) {}

// Result offers the actions of new problems, and of every problem again
// when the user asked (a manual check, an action): a token is used once.
func (a *consoleActor) Result(r monitor.Report) {
	offer := r.Transitions
	if r.Trigger.Kind == monitor.Manual || r.Trigger.Kind == monitor.Action {
		offer = r.Findings
	}
	for _, f := range offer {
		if f.NeedsAttention() && len(f.Actions) > 0 {
			a.offer(f)
		}
	}
	if o := r.Action; o != nil && o.Confirm != nil {
		a.ask(o)
	}
}

func (a *consoleActor) offer(f diagnose.Finding) {
	res := f.Resource.String()
	h, _ := f.ActHolder()
	tok := a.offers.Issue(offer.Offer{Resource: f.Resource, Actions: f.Actions, PID: h.PID})
	if a.json {
		writeJSONLine(a.w, map[string]any{"event": "act", "resource": res, "actions": f.Actions, "pid": h.PID, "token": tok})
		return
	}
	fmt.Fprintf(a.w, "  to act on %s, run: %s\n    ACTION: %s\n", res, actionCommand("ACTION", res, h.PID, tok), actionList(f.Actions))
}

func (a *consoleActor) ask(o *monitor.ActionOutcome) {
	c := o.Confirm
	res := c.Resource.String()
	tok := a.offers.Issue(offer.Offer{Resource: c.Resource, Confirms: c.Action, PID: c.PID})
	if a.json {
		writeJSONLine(a.w, map[string]any{"event": "confirm", "resource": res, "action": string(c.Action),
			"prompt": c.Prompt(), "pid": c.PID, "token": tok})
		return
	}
	fmt.Fprintf(a.w, "  %s\n  to confirm, run: %s\n", c.Prompt(), actionCommand(c.Action.ConfirmKey(), res, c.PID, tok))
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
