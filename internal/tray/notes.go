package tray

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
)

// showTimeout bounds one notification call: a hung daemon must not stall
// the tray's work goroutine for long.
const showTimeout = 10 * time.Second

// Run does the controller's slow work until ctx ends: it shows notes for
// queued reports and turns the notifier's responses into requests.
func (c *Controller) Run(ctx context.Context) {
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
			_ = c.respond(r) // a refused answer does nothing; respond logs mismatches
		}
	}
}

func (c *Controller) show(ctx context.Context, n notify.Note, is issued) {
	ctx, cancel := context.WithTimeout(ctx, showTimeout)
	defer cancel()
	if err := c.o.Notifier.Show(ctx, n); err != nil {
		c.log.Warn("notification failed", "tag", n.Tag, "err", err)
		return
	}
	c.mu.Lock()
	c.notes[n.Tag] = is
	c.mu.Unlock()
}

// notifyReport turns one report into notes: transitions only (never every
// poll), plus the outcome of an action.
func (c *Controller) notifyReport(ctx context.Context, r monitor.Report) {
	for _, f := range r.Transitions {
		tag := f.Resource.String()
		c.mu.Lock()
		alerted := c.alerted[tag]
		c.alerted[tag] = f.NeedsAttention()
		c.mu.Unlock()
		switch {
		case f.NeedsAttention():
			tok := newToken()
			c.show(ctx, compose.Note(f, tok), issued{token: tok, resource: f.Resource, finding: f})
		case alerted:
			// Replace the stale conflict note, so nobody clicks its buttons.
			c.show(ctx, notify.Note{Tag: tag, Title: compose.Title(f) + " again", Body: compose.Clean(f.Message, 400)},
				issued{resource: f.Resource, finding: f})
		}
	}
	o := r.Action
	if o == nil {
		return
	}
	req := o.Request
	switch {
	case o.NeedsConfirmation():
		if req.Source != "notification" {
			return // asked from the menu: the menu shows the prompt
		}
		tok := newToken()
		c.show(ctx, compose.ConfirmPrompt(req.Finding, req.Action, o.Prompt, tok),
			issued{token: tok, resource: req.Resource, confirm: req.Action, pid: req.PID, finding: req.Finding})
	case o.Err != nil:
		c.log.Error("action failed", "action", string(req.Action), "resource", req.Resource.String(), "err", o.Err)
		c.show(ctx, notify.Note{Tag: req.Resource.String(), Title: errString(o), Urgent: true},
			issued{resource: req.Resource, finding: req.Finding})
	default:
		c.log.Info("action done", "action", string(req.Action), "resource", req.Resource.String(), "message", o.Message)
	}
}

// errRefused is why an answer is ignored: no such note, a wrong token, or
// a key that note did not offer.
var errRefused = errors.New("tray: no note of this tray offers that answer")

// respond vets a notifier response against the note we showed for its tag:
// right token, a key that note offered, a confirmation only on the
// confirmation note it belongs to.
func (c *Controller) respond(r notify.Response) error {
	c.mu.Lock()
	is, ok := c.notes[r.Tag]
	loop := c.loop
	if ok && is.token != "" && subtle.ConstantTimeCompare([]byte(is.token), []byte(r.Token)) == 1 {
		delete(c.notes, r.Tag) // one answer per note
	} else {
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return errRefused
	}
	if r.Dismissed {
		return nil
	}
	if r.Action == compose.Cancel {
		c.dropPrompt(is.resource)
		return nil
	}
	a, confirmed, known := compose.ParseKey(r.Action)
	switch {
	case !known:
		return errRefused
	case confirmed != (is.confirm != ""), confirmed && a != is.confirm:
		c.log.Warn("ignored a mismatched answer", "tag", r.Tag, "key", r.Action)
		return errRefused
	case !confirmed && !is.finding.Has(a) && a != diagnose.Retry:
		return errRefused
	}
	pid := is.pid
	if !confirmed {
		pid = ActPID(is.finding, a)
	}
	c.act(loop, monitor.Request{Action: a, Resource: is.resource, PID: pid, Confirmed: confirmed,
		Source: "notification", Token: r.Token})
	return nil
}

// Answer takes an answer to a note that arrived some other way than the
// notifier (`traycheck action` forwarded by a later launch). It is vetted
// exactly like a click.
func (c *Controller) Answer(r notify.Response) error { return c.respond(r) }

// Redeem tells the single-instance server whether token belongs to the note
// now shown for scope (a resource). It does not use the token up: the answer
// itself does, when it reaches Answer or the notifier.
func (c *Controller) Redeem(token, scope string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	is, ok := c.notes[scope]
	if !ok || is.token == "" || subtle.ConstantTimeCompare([]byte(is.token), []byte(token)) != 1 {
		return errRefused
	}
	return nil
}
