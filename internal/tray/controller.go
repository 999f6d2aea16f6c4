package tray

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/monitor"
	"github.com/traycheck/traycheck/internal/notify"
	"github.com/traycheck/traycheck/internal/notify/compose"
	"github.com/traycheck/traycheck/internal/offer"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Loop is the part of *monitor.Monitor the tray drives. Do answers with the
// report of the check that follows the action, so the tray learns what
// became of its click from the answer, not from the broadcast.
type Loop interface {
	CheckNow(origin monitor.Origin)
	Do(ctx context.Context, req monitor.Request) (monitor.Report, error)
}

// Autostart is the "Start at login" switch (package autostart).
type Autostart interface {
	Enabled() (bool, error)
	Enable() error
	Disable() error
}

// Options configure a Controller.
type Options struct {
	// Notifier shows notes; nil means notify.None().
	Notifier notify.Notifier
	// Offers is the ledger the notes' tokens come from and are redeemed
	// against; the IPC server shares it (a toast's URI arrives there). nil
	// means a ledger of the tray's own.
	Offers *offer.Ledger
	// Autostart backs the checkbox; nil leaves it disabled.
	Autostart Autostart
	// OpenConfig opens the config file for editing; nil disables the item.
	OpenConfig func(ctx context.Context) error
	// Diagnostics writes the diagnostic report for "Copy diagnostics" and
	// returns where it went and its text; nil disables the item.
	Diagnostics func(ctx context.Context) (path string, text []byte, err error)
	// LogPath is the log file "Open log" shows; "" disables the item.
	LogPath string
	// Clipboard puts text on the clipboard and names the program that took
	// it; nil means CopyText. Open shows a file or folder; nil means
	// OpenPath. Tests replace them: they are the desktop's programs.
	Clipboard func(ctx context.Context, text []byte) (string, error)
	Open      func(ctx context.Context, path string) error
	// Connection names what a resource belongs to for a note's summary
	// ("VPN 'work'", "the VPN"); nil or "" leaves the summary plain.
	Connection func(vpnport.Resource) string
	// FailingNow reports whether the user's VPN is failing now because of
	// f (a configured client is down and its resource is held): only then
	// is f's note critical, which passes Do Not Disturb. nil: never. The
	// failure trigger sets it.
	FailingNow func(f diagnose.Finding) bool
	// Version, ConfigPath: what "About traycheck" shows.
	Version, ConfigPath string
	// Quit ends the app (systray.Quit); set by Run.
	Quit func()
	Log  *slog.Logger
}

// Controller is the tray's state: a monitor.Sink that keeps the View, shows
// notifications for transitions, and turns clicks (menu or notification)
// into requests to the Loop. Sink calls only record and signal; the slow work
// (D-Bus calls) happens in Run.
type Controller struct {
	o       Options
	log     *slog.Logger
	changed chan struct{} // capacity 1: "the view changed"
	poke    chan struct{} // capacity 1: "reports are queued"

	ctx     context.Context // Run's: the clicks' requests live as long as it
	mu      sync.Mutex
	loop    Loop
	view    View
	queue   []monitor.Report
	tokens  map[string]string    // by tag: the token of the note on screen
	alerted map[string]bool      // tags with a conflict note shown
	copies  map[string]copyOffer // by tag: the suggestion note's Copy button
	// covered holds, by tag, the time of the last check whose outcome a
	// result note already told: that check's "free again" note would only
	// replace the more telling result.
	covered map[string]time.Time
	// showMu keeps deciding on a note and showing it together, so a result
	// and a report's note for the same tag land in the order decided.
	showMu sync.Mutex
}

// NewController returns a Controller; Attach the monitor before Run.
func NewController(o Options) *Controller {
	if o.Notifier == nil {
		o.Notifier = notify.None()
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Clipboard == nil {
		o.Clipboard = CopyText
	}
	if o.Open == nil {
		o.Open = OpenPath
	}
	if o.Offers == nil {
		o.Offers = offer.New(0)
	}
	c := &Controller{
		o: o, log: o.Log.With("component", "tray"),
		changed: make(chan struct{}, 1), poke: make(chan struct{}, 1),
		ctx: context.Background(), tokens: map[string]string{}, alerted: map[string]bool{},
		copies: map[string]copyOffer{}, covered: map[string]time.Time{},
	}
	c.view.Prompts = map[vpnport.Resource]Prompt{}
	c.view.Version = o.Version
	return c
}

// Attach sets the loop clicks are sent to. The monitor takes its sinks at
// creation, so the controller exists first and is attached after.
func (c *Controller) Attach(l Loop) {
	c.mu.Lock()
	c.loop = l
	c.mu.Unlock()
}

// Changed signals (coalesced) that View changed.
func (c *Controller) Changed() <-chan struct{} { return c.changed }

// View returns a copy of the current view.
func (c *Controller) View() View {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.view
	v.Findings = append([]diagnose.Finding(nil), c.view.Findings...)
	v.Prompts = make(map[vpnport.Resource]Prompt, len(c.view.Prompts))
	for k, p := range c.view.Prompts {
		v.Prompts[k] = p
	}
	return v
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Checking implements monitor.Sink. Only checks the user asked for turn the
// icon amber: a routine interval check every few seconds would flicker.
func (c *Controller) Checking(t monitor.Trigger) {
	if t.Kind != monitor.Manual && t.Kind != monitor.Action {
		return
	}
	c.mu.Lock()
	c.view.Checking = true
	c.mu.Unlock()
	signal(c.changed)
}

// Result implements monitor.Sink.
func (c *Controller) Result(r monitor.Report) {
	c.mu.Lock()
	c.view.HaveResult, c.view.Checking = true, false
	c.view.Err = ""
	if !r.At.IsZero() {
		c.view.LastChecked = r.At
	}
	if r.Err != nil {
		c.view.Err = r.Err.Error()
	} else {
		c.view.Findings = append(c.view.Findings[:0:0], r.Findings...)
	}
	c.dropStalePrompts()
	// Only reports that can lead to a note wait for Run: a quiet check
	// every second must not pile up behind a notification daemon that hangs.
	if len(r.Transitions) > 0 {
		c.queue = append(c.queue, r)
	}
	status := StatusLine(c.view)
	c.mu.Unlock()
	lvl := slog.LevelDebug
	if r.Trigger.Kind == monitor.Manual || r.Trigger.Kind == monitor.Action {
		lvl = slog.LevelInfo
	}
	c.log.Log(context.Background(), lvl, "check finished", "trigger", string(r.Trigger.Kind),
		"origin", r.Trigger.Origin, "status", status)
	signal(c.poke)
	signal(c.changed)
}

// dropStalePrompts forgets confirmations whose target is gone: the resource
// is fine now, or the process to end no longer holds it.
func (c *Controller) dropStalePrompts() {
	for res, p := range c.view.Prompts {
		f, ok := c.finding(res)
		if !ok || !f.NeedsAttention() || (p.PID != 0 && !holds(f, p.PID)) {
			c.o.Offers.Revoke(p.Token)
			delete(c.view.Prompts, res)
		}
	}
}

func (c *Controller) finding(r vpnport.Resource) (diagnose.Finding, bool) {
	for _, f := range c.view.Findings {
		if f.Resource == r {
			return f, true
		}
	}
	return diagnose.Finding{}, false
}

func holds(f diagnose.Finding, pid int) bool {
	for _, h := range f.Holders {
		if h.PID == pid && !h.Hidden {
			return true
		}
	}
	return false
}

// Do carries out a menu command. It never blocks on the user; "Copy
// diagnostics" takes as long as a probe, the autostart switch as long as
// the OS. The systray layer calls it off the UI goroutine; it is safe from
// any goroutine.
func (c *Controller) Do(ctx context.Context, cmd Command) {
	c.mu.Lock()
	loop := c.loop
	c.mu.Unlock()
	switch cmd.Kind {
	case CheckNow:
		c.log.Info("check requested", "origin", monitor.OriginMenu)
		if loop != nil {
			loop.CheckNow(monitor.OriginMenu)
		}
	case Act:
		if !cmd.Confirmed {
			c.act(loop, monitor.Request{Request: remedy.Request{Action: cmd.Action, PID: cmd.PID},
				Resource: cmd.Resource, Origin: monitor.OriginMenu})
			return
		}
		// The menu's yes answers the prompt it showed, through the same
		// ledger as a note's button: bound to the PID the prompt named.
		ans, err := c.o.Offers.Redeem(cmd.Token, cmd.Resource, cmd.Action.ConfirmKey(), cmd.PID)
		c.dropPrompt(cmd.Resource)
		if err != nil {
			c.log.Warn("ignored a stale confirmation", "resource", cmd.Resource.String(), "err", err)
			return
		}
		c.answer(loop, ans, monitor.OriginMenu)
	case Cancel:
		c.dropPrompt(cmd.Resource)
	case ToggleAutostart:
		c.toggleAutostart()
	case OpenConfig:
		c.openConfig(ctx)
	case About:
		c.about(ctx)
	case OpenLog:
		c.openLog(ctx)
	case CopyDiagnostics:
		c.copyDiagnostics(ctx)
	case Quit:
		if c.o.Quit != nil {
			c.o.Quit()
		}
	}
}

// answer turns an answer the ledger accepted into a request to the loop.
func (c *Controller) answer(loop Loop, ans offer.Answer, origin monitor.Origin) {
	if ans.Cancelled {
		c.dropPrompt(ans.Resource)
		return
	}
	c.act(loop, monitor.Request{Request: remedy.Request{Action: ans.Action, PID: ans.PID, Confirmed: ans.Confirmed},
		Resource: ans.Resource, Origin: origin})
}

// act sends req to the loop and, off the caller's goroutine, handles the
// answer: a confirmation is asked where the click came from (a note for a
// note's button; the menu always shows it), a failure gets a note.
func (c *Controller) act(loop Loop, req monitor.Request) {
	c.log.Info("action requested", "action", string(req.Action), "resource", req.Resource.String(),
		"pid", req.PID, "confirmed", req.Confirmed, "origin", req.Origin)
	if loop == nil {
		return
	}
	c.mu.Lock()
	ctx := c.ctx
	c.mu.Unlock()
	go func() {
		r, err := loop.Do(ctx, req)
		if err != nil {
			c.log.Error("action not carried out", "action", string(req.Action), "err", err)
			f := req.Finding
			f.Resource = req.Resource
			c.show(ctx, compose.Failed(f, req.Action, err, ""))
			return
		}
		if r.Action != nil {
			c.outcome(ctx, r)
		}
	}()
}

// dropPrompt forgets the menu's question for r; its token can no longer
// answer it.
func (c *Controller) dropPrompt(r vpnport.Resource) {
	c.mu.Lock()
	tok := c.view.Prompts[r].Token
	delete(c.view.Prompts, r)
	c.mu.Unlock()
	c.o.Offers.Revoke(tok)
	signal(c.changed)
}

// RefreshAutostart reads the checkbox state from the OS.
func (c *Controller) RefreshAutostart() {
	if c.o.Autostart == nil {
		return
	}
	on, err := c.o.Autostart.Enabled()
	c.mu.Lock()
	c.view.Autostart = AutostartView{Available: err == nil, Enabled: on}
	c.mu.Unlock()
	if err != nil {
		c.log.Warn("start at login unavailable", "err", err)
	}
	signal(c.changed)
}

func (c *Controller) toggleAutostart() {
	if c.o.Autostart == nil {
		return
	}
	on, err := c.o.Autostart.Enabled()
	if err == nil {
		if on {
			err = c.o.Autostart.Disable()
		} else {
			err = c.o.Autostart.Enable()
		}
	}
	if err != nil {
		c.log.Error("changing start at login failed", "err", err)
	}
	c.RefreshAutostart()
}
