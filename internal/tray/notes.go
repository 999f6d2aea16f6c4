package tray

import (
	"context"
	"errors"
	"time"

	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// showTimeout bounds one notification call: a hung daemon must not stall
// the tray's work goroutine for long.
const showTimeout = 10 * time.Second

// Run does the controller's slow work until ctx ends: it shows notes for
// queued reports and turns the notifier's responses into requests.
func (c *Controller) Run(ctx context.Context) {
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
	responses := c.o.Notifier.Responses()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.poke:
			c.mu.Lock()
			q := c.queue
			c.queue = nil
			c.mu.Unlock()
			for _, r := range q {
				c.notifyReport(ctx, r)
			}
		case r, ok := <-responses:
			if !ok {
				responses = nil // closed: the menu still works
				continue
			}
			_ = c.Answer(r) // a refused answer does nothing; Answer logs it
		}
	}
}

// show puts n on screen; its token (if any) replaces the one of the note it
// replaces, which can no longer be answered.
func (c *Controller) show(ctx context.Context, n notify.Note) {
	ctx, cancel := context.WithTimeout(ctx, showTimeout)
	defer cancel()
	if err := c.o.Notifier.Show(ctx, n); err != nil {
		c.log.Warn("notification failed", "tag", n.Tag, "err", err)
		c.o.Offers.Revoke(n.Token)
		return
	}
	c.mu.Lock()
	old := c.tokens[n.Tag]
	c.tokens[n.Tag] = n.Token
	c.mu.Unlock()
	if old != n.Token {
		c.o.Offers.Revoke(old)
	}
}

// notifyReport turns one report's transitions into notes (never every poll).
func (c *Controller) notifyReport(ctx context.Context, r monitor.Report) {
	for _, f := range r.Transitions {
		tag := f.Resource.String()
		c.mu.Lock()
		alerted := c.alerted[tag]
		c.alerted[tag] = f.NeedsAttention()
		c.mu.Unlock()
		switch {
		case f.NeedsAttention():
			h, _ := f.ActHolder()
			tok := c.o.Offers.Issue(offer.Offer{Resource: f.Resource, Actions: f.Actions, PID: h.PID})
			c.show(ctx, compose.Note(f, tok))
		case alerted:
			// Replace the stale conflict note, so nobody clicks its buttons.
			c.show(ctx, notify.Note{Tag: tag, Title: compose.Title(f) + " again", Body: compose.Clean(f.Message, 400)})
		}
	}
}

// outcome shows what became of an action the tray asked for: the
// confirmation (in the menu, and as a note when a note's button asked), or
// the failure.
func (c *Controller) outcome(ctx context.Context, o *monitor.ActionOutcome) {
	req := o.Request
	switch {
	case o.Confirm != nil:
		cf := o.Confirm
		tok := c.o.Offers.Issue(offer.Offer{Resource: req.Resource, Confirms: cf.Action, PID: cf.PID})
		c.mu.Lock()
		c.view.Prompts[req.Resource] = Prompt{Action: cf.Action, PID: cf.PID, Text: compose.Clean(cf.Prompt(), 160), Token: tok}
		c.mu.Unlock()
		signal(c.changed)
		if req.Origin == monitor.OriginNotification {
			c.show(ctx, compose.ConfirmPrompt(req.Finding, cf.Action, cf.Question, cf.Consequence, tok))
		}
	case o.Err != nil:
		c.log.Error("action failed", "action", string(req.Action), "resource", req.Resource.String(), "err", o.Err)
		c.show(ctx, notify.Note{Tag: req.Resource.String(), Title: errString(o), Urgent: true})
	default:
		c.log.Info("action done", "action", string(req.Action), "resource", req.Resource.String(), "message", o.Result.Message)
	}
}

// errRefused is why an answer is ignored: the ledger does not know its
// token for this note's resource, or the note did not offer that key.
var errRefused = errors.New("tray: no note of this tray offers that answer")

// Answer takes a notifier's raw response (a click or dismissal) and lets
// the ledger decide whether it answers what was offered: right token for
// the note's resource, a key the note offered, a confirmation only on the
// confirmation note it belongs to, once.
func (c *Controller) Answer(r notify.Response) error {
	rs, err := vpnport.ParseTarget(r.Tag)
	if err != nil || len(rs) != 1 {
		return errRefused
	}
	if r.Dismissed {
		c.o.Offers.Revoke(r.Token)
		return nil
	}
	ans, err := c.o.Offers.Redeem(r.Token, rs[0], r.Action, 0)
	if err != nil {
		c.log.Warn("ignored an answer that was not offered", "tag", r.Tag, "key", r.Action, "err", err)
		return errRefused
	}
	c.mu.Lock()
	loop := c.loop
	if c.tokens[r.Tag] == r.Token {
		delete(c.tokens, r.Tag)
	}
	c.mu.Unlock()
	c.answer(loop, ans, monitor.OriginNotification)
	return nil
}
