// Package console is the terminal's sink of the watch loop: Sink prints
// checks and suspend/resume events (a line each, or JSON lines for `watch
// --json`), and Actor, in the console mode that is the session's instance,
// prints the `traycheck action` command that answers each offer of the
// ledger. Both write synchronously: the terminal is their only output, and
// a consumer of JSON lines would rather be waited for than lose lines.
package console

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/safetext"
)

// Sink prints to the terminal. It writes synchronously: the console
// is the only sink of `watch`, and a consumer of --json would rather be
// waited for than lose lines.
type Sink struct {
	W       io.Writer
	JSON    bool // one JSON object per line (watch --json)
	failing bool // the last check's probe failed
}

func (c *Sink) Checking(monitor.Trigger) {}

// Power prints a suspend or resume.
func (c *Sink) Power(ev power.Event) {
	slept := int64(math.Round(ev.Slept.Seconds()))
	if c.JSON {
		c.line(struct {
			Event  string `json:"event"`
			SleptS int64  `json:"slept_s"`
			Source string `json:"source"`
		}{ev.Kind.String(), slept, ev.Source})
		return
	}
	switch {
	case ev.Kind == power.Resume && ev.Slept > 0:
		fmt.Fprintf(c.W, "%s resume after %v asleep (%s)\n", stamp(ev.At), ev.Slept.Round(time.Second), ev.Source)
	default:
		fmt.Fprintf(c.W, "%s %s (%s)\n", stamp(ev.At), ev.Kind, ev.Source)
	}
}

// Result prints a check that is worth a line: the first, a transition, one
// a person or a wake asked for, and a probe starting or stopping to fail.
func (c *Sink) Result(r monitor.Report) {
	failing := r.Err != nil
	show := r.First || len(r.Transitions) > 0 || r.Trigger.Kind != monitor.Interval || failing != c.failing
	c.failing = failing
	if !show {
		return
	}
	if c.JSON {
		out := struct {
			Event     string             `json:"event"`
			Trigger   string             `json:"trigger"`
			CheckedAt string             `json:"checked_at"`
			Findings  []diagnose.Finding `json:"findings"`
			Error     string             `json:"error,omitempty"`
		}{Event: "check", Trigger: string(r.Trigger.Kind), CheckedAt: r.At.Format(time.RFC3339), Findings: r.Findings}
		if out.Findings == nil {
			out.Findings = []diagnose.Finding{}
		}
		if r.Err != nil {
			out.Error = r.Err.Error()
		}
		c.line(out)
		return
	}
	if r.Err != nil {
		fmt.Fprintf(c.W, "%s %s check: cannot check: %v\n", stamp(r.At), r.Trigger.Kind, r.Err)
		return
	}
	what := string(r.Trigger.Kind)
	if r.First {
		what = "first"
	}
	fmt.Fprintf(c.W, "%s %s check:\n", stamp(r.At), what)
	for _, f := range r.Findings {
		msg := strings.TrimSpace(f.Message)
		if msg == "" {
			msg = f.Resource.String()
		}
		fmt.Fprintf(c.W, "  %-18s %s\n", "["+string(f.Cause)+"]", msg)
	}
}

func (c *Sink) line(v any) { WriteJSONLine(c.W, v) }

// WriteJSONLine writes v as one line of JSON (watch --json's format).
func WriteJSONLine(w io.Writer, v any) {
	if err := safetext.WriteJSONLine(w, v); err != nil {
		// Every field is plain data; this cannot happen, but a broken line
		// must not pass silently.
		fmt.Fprintf(w, "{\"event\":\"error\",\"error\":%q}\n", err.Error())
	}
}

func stamp(t time.Time) string { return t.Local().Format("15:04:05") }

// Actor makes the console mode actionable: for each finding that
// needs attention it prints the `traycheck action` command with a token the
// ledger bound to that finding's resource, actions and holder; when an
// action needs confirmation it prints the question and the confirming
// command, whose token is bound to the PID the question names.
type Actor struct {
	W      io.Writer
	JSON   bool
	Offers *offer.Ledger
}

func (a *Actor) Checking(monitor.Trigger) {}

// Result offers the actions of new problems, and of every problem again
// when the user asked (a manual check, an action): a token is used once.
func (a *Actor) Result(r monitor.Report) {
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

func (a *Actor) offer(f diagnose.Finding) {
	res := f.Resource.String()
	h, _ := f.ActHolder()
	tok := a.Offers.Issue(offer.Offer{Resource: f.Resource, Actions: f.Actions, PID: h.PID})
	if a.JSON {
		WriteJSONLine(a.W, map[string]any{"event": "act", "resource": res, "actions": f.Actions, "pid": h.PID, "token": tok})
		return
	}
	fmt.Fprintf(a.W, "  to act on %s, run: %s\n    ACTION: %s\n", res, ActionCommand("ACTION", res, h.PID, tok), ActionList(f.Actions))
}

func (a *Actor) ask(o *monitor.ActionOutcome) {
	c := o.Confirm
	res := c.Resource.String()
	tok := a.Offers.Issue(offer.Offer{Resource: c.Resource, Confirms: c.Action, PID: c.PID})
	if a.JSON {
		WriteJSONLine(a.W, map[string]any{"event": "confirm", "resource": res, "action": string(c.Action),
			"prompt": c.Prompt(), "pid": c.PID, "token": tok})
		return
	}
	fmt.Fprintf(a.W, "  %s\n  to confirm, run: %s\n", c.Prompt(), ActionCommand(c.Action.ConfirmKey(), res, c.PID, tok))
}

// ActionCommand is the command that answers an offer: key is an action id,
// a confirm key, or ACTION for "one of the offered actions".
func ActionCommand(key, resource string, pid int, token string) string {
	cmd := "traycheck action " + key + " --resource " + resource
	if pid > 0 {
		cmd += fmt.Sprintf(" --pid %d", pid)
	}
	return cmd + " --token " + token
}

// ActionList is actions as `retry, end-process`.
func ActionList(as []diagnose.Action) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// CheckReport is the JSON document of `traycheck check --json` (and of
// check-now --json, for the running traycheck's check); its field names are
// public contract.
type CheckReport struct {
	CheckedAt time.Time          `json:"checked_at"`
	Findings  []diagnose.Finding `json:"findings"`
}

// WriteCheck prints a check as `traycheck check` prints it, as the JSON
// document or as lines, and reports whether a finding needs attention.
func WriteCheck(w io.Writer, asJSON bool, at time.Time, fs []diagnose.Finding) (attention bool) {
	if asJSON {
		if fs == nil {
			fs = []diagnose.Finding{}
		}
		WriteJSON(w, CheckReport{CheckedAt: at.UTC().Truncate(time.Second), Findings: fs})
	} else {
		WriteFindings(w, fs)
	}
	for _, f := range fs {
		if f.NeedsAttention() {
			return true
		}
	}
	return false
}

// WriteJSON writes v as indented JSON, as the one-shot commands print it.
func WriteJSON(w io.Writer, v any) { _ = safetext.WriteJSON(w, v) }

// WriteFindings prints one line per resource that is fine and two for one
// that needs attention: status, resource, cause and message, then the next
// steps, so the eye finds the problems first.
func WriteFindings(w io.Writer, fs []diagnose.Finding) {
	width := 0
	for _, f := range fs {
		width = max(width, len(f.Resource.String()))
	}
	bad := 0
	for _, f := range fs {
		status := "ok"
		if f.NeedsAttention() {
			status = "PROBLEM"
			bad++
		}
		fmt.Fprintf(w, "%-7s  %-*s  %s: %s\n", status, width, f.Resource, f.Cause, f.Message)
		if len(f.Actions) > 0 {
			fmt.Fprintf(w, "%-7s  %-*s  next: %s\n", "", width, "", ActionList(f.Actions))
		}
	}
	switch {
	case len(fs) == 0:
		fmt.Fprintln(w, "nothing to check: the config watches no ports or devices")
	case bad == 0:
		fmt.Fprintf(w, "all clear: %d checked\n", len(fs))
	default:
		fmt.Fprintf(w, "%d of %d need attention\n", bad, len(fs))
	}
}
