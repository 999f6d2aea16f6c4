package console

import (
	"fmt"
	"io"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/findingprint"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/offer"
)

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
		writeJSONLine(a.W, map[string]any{"event": "act", "resource": res, "actions": f.Actions, "pid": h.PID, "token": tok})
		return
	}
	fmt.Fprintf(a.W, "  to act on %s, run: %s\n    ACTION: %s\n", res, findingprint.ActionCommand("ACTION", res, h.PID, tok), findingprint.ActionList(f.Actions))
}

func (a *Actor) ask(o *monitor.ActionOutcome) {
	c := o.Confirm
	res := c.Resource.String()
	tok := a.Offers.Issue(offer.Offer{Resource: c.Resource, Confirms: c.Action, PID: c.PID})
	if a.JSON {
		writeJSONLine(a.W, map[string]any{"event": "confirm", "resource": res, "action": string(c.Action),
			"prompt": c.Prompt(), "pid": c.PID, "token": tok})
		return
	}
	fmt.Fprintf(a.W, "  %s\n  to confirm, run: %s\n", c.Prompt(), findingprint.ActionCommand(c.Action.ConfirmKey(), res, c.PID, tok))
}
