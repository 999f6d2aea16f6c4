// Package monitor is traycheck's one loop: triggers (the interval timer, a
// resume from sleep, "check now", an action the user clicked) lead to a probe,
// the probe to a diagnosis, and only transitions (a resource whose cause is
// new or changed) are marked for the user. Sinks (tray, notifications,
// console) observe every check. The way back is answered: Check returns the
// report of a check that started after the call, Do the report of the check
// that follows the action, so a caller never fishes its answer out of the
// broadcast.
//
// After a resume the loop re-checks after a short settle delay and then on a
// backoff schedule for about a minute, because Wi-Fi, DHCP and the VPN's own
// reconnect come back after the resume signal. Every check passes the time of
// the last resume to diagnosis, which decides whether a finding is
// stale-after-wake.
//
// Sinks are called synchronously from the loop goroutine, in order, one call
// at a time. A sink must return quickly and must not block: hand the Report
// to your own goroutine (a buffered channel, or state under a mutex) when you
// have slow work to do. CheckNow never blocks, so a sink may call it; Check
// and Do wait for the loop and must not be called from a sink.
package monitor

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/config"
	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// Prober observes resources; *vpnport.Prober is the real one.
type Prober interface {
	Probe(ctx context.Context, rs []vpnport.Resource, opts vpnport.ProbeOptions) ([]vpnport.Observation, error)
}

// TriggerKind says why a check ran. The values are part of the
// `watch --json` contract.
type TriggerKind string

// The trigger kinds. The first check after Run starts is an Interval check
// with Report.First set.
const (
	Interval TriggerKind = "interval"
	Resume   TriggerKind = "resume"
	Manual   TriggerKind = "manual"
	Action   TriggerKind = "action"
	// Failure: a VPN client announced a failure (package trigger).
	Failure TriggerKind = "failure"
)

// Origin says who or what asked for a check or an action. Policy reads it
// (only a person's check may open a device), so it is a closed set of
// values, never free text.
type Origin string

// The origins.
const (
	OriginStart        Origin = "start"        // the first check after Run starts
	OriginTimer        Origin = "timer"        // the interval
	OriginResume       Origin = "resume"       // the post-resume schedule
	OriginRecheck      Origin = "recheck"      // an action's delayed re-check (wait)
	OriginMenu         Origin = "tray"         // the tray menu
	OriginNotification Origin = "notification" // a notification button
	OriginIPC          Origin = "ipc"          // a later launch: check-now, `traycheck action`, a toast's URI
	OriginEvent        Origin = "vpn-event"    // the VPN client's own event (package trigger)
)

// Person reports whether a person asked, rather than a schedule.
func (o Origin) Person() bool {
	switch o {
	case OriginMenu, OriginNotification, OriginIPC:
		return true
	}
	return false
}

// Trigger is why a check ran. When several triggers arrive while a check is
// running they are coalesced into one check, reported under the most
// user-facing kind (action, then manual, then resume, then interval).
type Trigger struct {
	Kind   TriggerKind
	Origin Origin
	At     time.Time
}

// Request is an action the user asked for, coming back into the loop. The
// caller sets Resource, Origin and the remedy fields Action, PID and
// Confirmed; the loop fills in Finding with its latest finding for Resource
// before the remedy runs.
type Request struct {
	remedy.Request
	Resource vpnport.Resource
	Origin   Origin
}

// Remedy carries out a request; *remedy.Runner is the real one. It may take
// long (an elevation prompt); the loop runs it on its own goroutine, one at
// a time, while it goes on checking. It returns a [*remedy.ConfirmationError]
// when the action needs a confirmation the request does not carry.
type Remedy interface {
	Do(ctx context.Context, req remedy.Request) (remedy.Result, error)
}

// ErrNoRemedy is the outcome of an action other than retry when the monitor
// has no Remedy.
var ErrNoRemedy = errors.New("no remedy is available for this action")

// ErrQueueFull is returned by Do when too many actions are waiting.
var ErrQueueFull = errors.New("too many actions are waiting; try again")

// ErrStopped is returned by Check and Do when the loop stopped before their
// answer.
var ErrStopped = errors.New("the watch loop stopped")

// ActionOutcome is what became of a Request. It arrives in the Report of the
// check that follows the action.
type ActionOutcome struct {
	Request Request
	// Result is the remedy's own account of what it did.
	Result remedy.Result
	// Confirm is set when the remedy asks for a confirmation: ask it, and
	// on an explicit yes Do the same Request again with Confirmed set.
	Confirm *remedy.Confirmation
	// Err is why the action failed (nil on success or when Confirm is set).
	Err error
}

// Report is the result of one check.
type Report struct {
	Trigger Trigger
	// First is set on the first check after Run starts.
	First bool
	// At is when the check started.
	At time.Time
	// Findings holds one finding per watched resource, in config order;
	// empty when Err is set.
	Findings []diagnose.Finding
	// Transitions are the findings whose cause or holders are new or changed for their
	// resource since the last successful check (all of them on the first).
	// Only these should become notifications.
	Transitions []diagnose.Finding
	// Err is set when the probe itself failed ("cannot check").
	Err error
	// LastResume is the last resume the loop knows of (zero: none).
	LastResume time.Time
	// Action is set on the check that follows an action.
	Action *ActionOutcome
	// Failures are the VPN clients' events this check answers, each with
	// the findings of its connection's resources (see Monitor.Failed).
	Failures []FailureOutcome
}

// Sink observes the loop. See the package doc: calls are synchronous and
// must not block.
type Sink interface {
	// Checking is called when a check starts.
	Checking(t Trigger)
	// Result is called when a check has finished.
	Result(r Report)
}

// PowerSink is an optional extension of Sink for sinks that show suspend and
// resume events (the console).
type PowerSink interface {
	Power(e power.Event)
}

// Clock is the time source of the loop; tests drive a fake one.
type Clock interface {
	Now() time.Time
	// TimerAt returns a timer that fires once at t (at once if t is not
	// after Now). A deadline rather than a duration: a clock that moves
	// between reading Now and arming cannot push the deadline back.
	TimerAt(t time.Time) Timer
}

// Timer is the part of *time.Timer the loop uses.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// Defaults for Options.
const (
	// DefaultSettle is the delay between a resume and its first check: long
	// enough for the resume to finish, short enough to beat the VPN client.
	DefaultSettle = 250 * time.Millisecond
	// DefaultProbeTimeout bounds one probe.
	DefaultProbeTimeout = 15 * time.Second
	// maxQueued bounds the actions waiting for the loop.
	maxQueued = 16
)

// DefaultBackoff is the re-check schedule after the settle check: about a
// minute in total, denser at first when most things come back.
var DefaultBackoff = []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 30 * time.Second}

// Options configure a Monitor. Config and Prober are required.
type Options struct {
	Config *config.Config
	Prober Prober
	// Power is the channel of suspend/resume events (power.Watch); nil for
	// none. The loop stops reading it when it is closed.
	Power <-chan power.Event
	// Sinks observe every check, in order.
	Sinks []Sink
	// Remedy carries out actions; nil means only retry works.
	Remedy Remedy
	// Diagnose turns one observation into a finding; default
	// diagnose.Diagnose.
	Diagnose func(vpnport.Observation, diagnose.Context) diagnose.Finding
	// Clock replaces the real clock (tests).
	Clock Clock
	// Settle and Backoff shape the checks after a resume; defaults
	// DefaultSettle and DefaultBackoff.
	Settle  time.Duration
	Backoff []time.Duration
	// WakeWindow is passed to diagnosis; 0 means diagnose.DefaultWakeWindow.
	WakeWindow   time.Duration
	ProbeTimeout time.Duration
	Log          *slog.Logger
}

// Monitor runs the loop. Create it with New; Run it once.
type Monitor struct {
	opts      Options
	resources []vpnport.Resource

	wake chan struct{} // capacity 1: "something is pending"

	mu      sync.Mutex
	manual  *Trigger   // a pending manual check, coalesced
	queued  []queued   // actions waiting for the loop
	outcome []finished // remedies that finished, waiting for a check
	started uint64     // checks started so far
	waiters []waiter   // Check calls waiting for a later check
	stopped bool       // Run has returned
	reloads []pendingReload

	events []trigger.Event // VPN client events waiting for a check (Failed)

	st loopState // owned by the loop goroutine
}

// New returns a Monitor. It fails when Config or Prober is missing.
func New(opts Options) (*Monitor, error) {
	if opts.Config == nil || opts.Prober == nil {
		return nil, errors.New("monitor: options need a Config and a Prober")
	}
	if opts.Diagnose == nil {
		opts.Diagnose = diagnose.Diagnose
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	if opts.Settle <= 0 {
		opts.Settle = DefaultSettle
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = DefaultProbeTimeout
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	m := &Monitor{
		opts:      opts,
		resources: opts.Config.Resources(),
		wake:      make(chan struct{}, 1),
	}
	m.st.init()
	return m, nil
}

// CheckNow asks for a check as soon as the loop is free, without waiting
// for it. Its Report is always delivered to the sinks, even when nothing
// changed. Several calls while a check runs make one check. It never
// blocks, so a sink may call it.
func (m *Monitor) CheckNow(origin Origin) {
	m.mu.Lock()
	if m.manual == nil {
		m.manual = &Trigger{Kind: Manual, Origin: origin, At: m.opts.Clock.Now()}
	}
	m.mu.Unlock()
	m.poke()
}

// Check asks for a check and returns the Report of the first check that
// starts after the call (so it sees the state as of now, never an older
// one). It fails only when ctx ends or the loop stops first.
func (m *Monitor) Check(ctx context.Context, origin Origin) (Report, error) {
	ch := make(chan Report, 1)
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return Report{}, ErrStopped
	}
	m.waiters = append(m.waiters, waiter{after: m.started, ch: ch})
	if m.manual == nil {
		m.manual = &Trigger{Kind: Manual, Origin: origin, At: m.opts.Clock.Now()}
	}
	m.mu.Unlock()
	m.poke()
	return m.await(ctx, ch)
}

// Do queues an action the user asked for and returns the Report of the
// check that follows it; the Report's Action says what became of it (done,
// failed, or a confirmation to ask). The loop hands the request to the
// Remedy (retry needs none) and re-checks at once. Do fails when too many
// actions wait, or when ctx ends or the loop stops before the answer.
func (m *Monitor) Do(ctx context.Context, req Request) (Report, error) {
	ch := make(chan Report, 1)
	m.mu.Lock()
	switch {
	case m.stopped:
		m.mu.Unlock()
		return Report{}, ErrStopped
	case len(m.queued) >= maxQueued:
		m.mu.Unlock()
		return Report{}, ErrQueueFull
	}
	m.queued = append(m.queued, queued{req: req, reply: ch})
	m.mu.Unlock()
	m.poke()
	return m.await(ctx, ch)
}

func (m *Monitor) await(ctx context.Context, ch chan Report) (Report, error) {
	select {
	case r, ok := <-ch:
		if !ok {
			return Report{}, ErrStopped
		}
		return r, nil
	case <-ctx.Done():
		return Report{}, ctx.Err()
	}
}

func (m *Monitor) poke() {
	select {
	case m.wake <- struct{}{}:
	default: // already pending; the loop will see everything queued
	}
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) TimerAt(t time.Time) Timer { return realTimer{time.NewTimer(time.Until(t))} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }
