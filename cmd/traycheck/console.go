package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/instance"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// consoleLoop runs the watch loop in the terminal: `traycheck watch`, and
// the bare `traycheck` without a desktop. extra sinks join the console's;
// setup, when set, runs once the monitor exists (the console fallback opens
// its IPC endpoint there) and returns what to undo at the end.
func consoleLoop(ctx context.Context, e *env, name string, cfg *config.Config, asJSON bool,
	rem monitor.Remedy, extra []monitor.Sink, setup func(*monitor.Monitor) func()) int {
	prober := vpnport.New()
	defer prober.Close()
	events := powerEvents(ctx, e)
	sinks := append([]monitor.Sink{&consoleSink{w: e.stdout, json: asJSON}}, extra...)
	sinks = append(sinks, journal{e.journal})
	m, err := monitor.New(monitor.Options{Config: cfg, Prober: prober, Power: events,
		Sinks: sinks, Remedy: rem, Log: e.log})
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
		return exitUsage
	}
	if setup != nil {
		if undo := setup(m); undo != nil {
			defer undo()
		}
	}
	e.log.Debug("watching", "config", cfg.Source, "resources", len(cfg.Resources()), "interval", cfg.Interval)
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
		return exitProbe
	}
	return exitOK
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

// confirmPrefix marks a token that confirms an action ("confirm-end-process").
// Such a token is issued only when the remedy asked for confirmation and the
// prompt was printed, so the token that came with the finding can never skip
// the question.
const confirmPrefix = "confirm-"

// consoleActor makes the console mode actionable, as the issue asks of a
// console notifier: for each finding that needs attention it prints the
// `traycheck action` command, with a token bound to that finding's resource
// and actions; when an action needs confirmation it prints the prompt and
// the confirming command, with a token of its own.
type consoleActor struct {
	w      io.Writer
	json   bool
	tokens *instance.Tokens

	mu     sync.Mutex
	hints  map[string]string // request token -> what to tell its caller next
	offers map[string]string // resource -> the last command offered for it
}

func newConsoleActor(w io.Writer, asJSON bool, tokens *instance.Tokens) *consoleActor {
	return &consoleActor{w: w, json: asJSON, tokens: tokens, hints: map[string]string{}, offers: map[string]string{}}
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
	o := r.Action
	switch {
	case o == nil:
	case o.NeedsConfirmation():
		a.ask(o)
	case o.Err != nil:
		// The failed request's token is spent; its caller gets the fresh
		// command offered just above for the same resource.
		a.mu.Lock()
		if cmd, ok := a.offers[o.Request.Resource.String()]; ok {
			a.hints[o.Request.Token] = "to try again, run: " + cmd
		}
		a.mu.Unlock()
	}
}

func (a *consoleActor) offer(f diagnose.Finding) {
	ids := make([]string, len(f.Actions))
	for i, x := range f.Actions {
		ids[i] = string(x)
	}
	res := f.Resource.String()
	tok := a.tokens.Issue(res, ids...)
	h, _ := f.ActHolder()
	pid := h.PID
	cmd := actionCommand("ACTION", res, pid, tok)
	a.mu.Lock()
	a.offers[res] = cmd + " (ACTION: " + strings.Join(ids, ", ") + ")"
	a.mu.Unlock()
	if a.json {
		writeJSONLine(a.w, map[string]any{"event": "act", "resource": res, "actions": ids, "pid": pid, "token": tok})
		return
	}
	fmt.Fprintf(a.w, "  to act on %s, run: %s\n    ACTION: %s\n", res, cmd, strings.Join(ids, ", "))
}

func (a *consoleActor) ask(o *monitor.ActionOutcome) {
	req := o.Request
	res := req.Resource.String()
	key := confirmPrefix + string(req.Action)
	tok := a.tokens.Issue(res, key)
	cmd := actionCommand(key, res, req.PID, tok)
	a.mu.Lock()
	a.hints[req.Token] = o.Prompt + "\nto confirm, run: " + cmd
	a.mu.Unlock()
	if a.json {
		writeJSONLine(a.w, map[string]any{"event": "confirm", "resource": res, "action": string(req.Action),
			"prompt": o.Prompt, "pid": req.PID, "token": tok})
		return
	}
	fmt.Fprintf(a.w, "  %s\n  to confirm, run: %s\n", o.Prompt, cmd)
}

// hint is what the forwarder tells the `traycheck action` caller next: the
// prompt and confirming command, or the fresh command after a failure.
func (a *consoleActor) hint(requestToken string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	h, ok := a.hints[requestToken]
	delete(a.hints, requestToken)
	return h, ok
}

func actionCommand(action, resource string, pid int, token string) string {
	cmd := "traycheck action " + action + " --resource " + resource
	if pid > 0 {
		cmd += fmt.Sprintf(" --pid %d", pid)
	}
	return cmd + " --token " + token
}
