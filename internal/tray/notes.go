package tray

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"runtime"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"

	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"
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
	c.showMu.Lock()
	defer c.showMu.Unlock()
	c.showLocked(ctx, n)
}

// showLocked is show with showMu held.
func (c *Controller) showLocked(ctx context.Context, n notify.Note) {
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
		c.showMu.Lock()
		c.mu.Lock()
		alerted := c.alerted[tag]
		c.alerted[tag] = f.NeedsAttention()
		covered := !r.At.IsZero() && !r.At.After(c.covered[tag])
		c.mu.Unlock()
		switch {
		case f.NeedsAttention():
			h, _ := f.ActHolder()
			tok := c.o.Offers.Issue(offer.Offer{Resource: f.Resource, Actions: f.Actions, PID: h.PID})
			n := compose.ConflictNote(f, c.connection(f.Resource), tok)
			n.Critical = c.o.FailingNow != nil && c.o.FailingNow(f)
			c.showLocked(ctx, n)
		case alerted && !covered:
			// Replace the stale conflict note, so nobody clicks its buttons.
			c.showLocked(ctx, notify.Note{Tag: tag, Title: compose.Fit(compose.Title(f)+" again", compose.Title(f)), Body: compose.Clean(f.Message, 400),
				Kind: notify.KindResult})
		}
		c.showMu.Unlock()
	}
}

func (c *Controller) connection(r vpnport.Resource) string {
	if c.o.Connection == nil {
		return ""
	}
	return c.o.Connection(r)
}

// outcome shows what became of an action the tray asked for, wherever it
// was asked (menu, note, console, `traycheck action`): the confirmation at
// once (a note; the menu shows it too), what was done and where the
// resource stands now, the suggested port, or why it was refused or failed.
func (c *Controller) outcome(ctx context.Context, r monitor.Report) {
	o := r.Action
	req := o.Request
	f := req.Finding
	f.Resource = req.Resource
	var n notify.Note
	switch {
	case o.Confirm != nil:
		cf := o.Confirm
		tok := c.o.Offers.Issue(offer.Offer{Resource: req.Resource, Confirms: cf.Action, PID: cf.PID})
		c.mu.Lock()
		c.view.Prompts[req.Resource] = Prompt{Action: cf.Action, PID: cf.PID, Text: compose.Clean(cf.Prompt(), 160), Token: tok}
		c.mu.Unlock()
		signal(c.changed)
		n = compose.ConfirmPrompt(f, cf.Action, cf.Question, cf.Consequence, tok)
	case o.Err != nil && errors.Is(o.Err, remedy.ErrRefused):
		c.log.Warn("action refused", "action", string(req.Action), "resource", req.Resource.String(), "err", o.Err)
		n = compose.Refused(f, req.Action, o.Err)
	case o.Err != nil:
		c.log.Error("action failed", "action", string(req.Action), "resource", req.Resource.String(), "err", o.Err)
		n = compose.Failed(f, req.Action, o.Err, fixFor(req.Action, req.Resource))
	case o.Result.Suggested != nil:
		c.log.Info("action done", "action", string(req.Action), "resource", req.Resource.String(), "message", o.Result.Message)
		tok := newCopyToken()
		var text string
		n, text = compose.Suggest(f, o.Result.Suggested.Port, o.Result.Suggested.Command, tok)
		c.mu.Lock()
		c.copies[n.Tag] = copyOffer{token: tok, text: text} // the older one is gone with its note
		c.mu.Unlock()
	default:
		c.log.Info("action done", "action", string(req.Action), "resource", req.Resource.String(), "message", o.Result.Message)
		after, ok := findingIn(r.Findings, req.Resource)
		n = compose.Done(f, req.Action, o.Result.Message, after, ok)
	}
	c.showMu.Lock()
	defer c.showMu.Unlock()
	if o.Confirm == nil && r.Err == nil {
		c.mu.Lock()
		if r.At.After(c.covered[n.Tag]) {
			c.covered[n.Tag] = r.At
		}
		c.alerted[n.Tag] = false
		if after, ok := findingIn(r.Findings, req.Resource); ok {
			c.alerted[n.Tag] = after.NeedsAttention()
		}
		c.mu.Unlock()
	}
	c.showLocked(ctx, n)
}

// fixFor is the way out of a failed action that its error cannot know.
func fixFor(a diagnose.Action, r vpnport.Resource) string {
	if a != diagnose.CheckAsAdmin {
		return ""
	}
	return adminCommand(runtime.GOOS, r)
}

// adminCommand is the check as administrator typed by hand, for when the
// elevation prompt cannot run (no pkexec, UAC refused).
func adminCommand(goos string, r vpnport.Resource) string {
	if goos == "windows" {
		return "Or run in an administrator terminal: traycheck check " + r.String()
	}
	return "Or run in a terminal: sudo traycheck check " + r.String()
}

func findingIn(fs []diagnose.Finding, r vpnport.Resource) (diagnose.Finding, bool) {
	for _, f := range fs {
		if f.Resource == r {
			return f, true
		}
	}
	return diagnose.Finding{}, false
}

// newCopyToken names one suggestion note's Copy button: unguessable, so a
// forged ActionInvoked cannot copy an old suggestion over the clipboard.
func newCopyToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "copy-" + hex.EncodeToString(b[:])
}

// copyOffer is a suggestion note's Copy button: its token and text.
type copyOffer struct{ token, text string }

// copyAnswer is a suggestion's Copy button: the text goes to the
// clipboard, and a note says where it went or why it could not.
func (c *Controller) copyAnswer(r notify.Response) error {
	c.mu.Lock()
	cp, ok := c.copies[r.Tag]
	ok = ok && cp.token == r.Token
	if ok {
		delete(c.copies, r.Tag)
	}
	ctx := c.ctx
	c.mu.Unlock()
	if !ok {
		c.log.Warn("ignored a copy answer that was not offered", "tag", r.Tag)
		return errRefused
	}
	text := cp.text
	go func() {
		n := notify.Note{Tag: r.Tag, Kind: notify.KindResult}
		if tool, err := c.o.Clipboard(ctx, []byte(text)); err != nil {
			c.log.Warn("copying the suggestion failed", "err", err)
			n.Title = "Could not copy " + compose.Clean(text, 40)
			n.Body = "No clipboard program took it (install xclip, xsel or wl-clipboard). Copy it from here: " + compose.Clean(text, 300)
		} else {
			c.log.Info("copied the suggestion", "tool", tool)
			n.Title = "Copied " + compose.Clean(text, 40)
		}
		c.show(ctx, n)
	}()
	return nil
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
	if r.Action == compose.CopyKey {
		return c.copyAnswer(r)
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
