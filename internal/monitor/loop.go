package monitor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/power"
	"github.com/traycheck/traycheck/internal/remedy"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// fallbackInterval is used when a Config carries no interval (a Config
// built by hand rather than loaded).
const fallbackInterval = 30 * time.Second

// loopState is everything only the loop goroutine touches.
type loopState struct {
	lastCheck  time.Time
	last       map[vpnport.Resource]verdict
	latest     map[vpnport.Resource]diagnose.Finding
	resetTried map[vpnport.Resource]bool

	lastResume time.Time
	resumeAt   time.Time // start of the current post-resume schedule
	resumeStep int       // next step of that schedule; -1 when none
	recheckAt  time.Time // an action's delayed re-check; zero when none

	remedyBusy bool
	events     []trigger.Event // VPN client events the next check answers
}

func (s *loopState) init() {
	s.last = map[vpnport.Resource]verdict{}
	s.latest = map[vpnport.Resource]diagnose.Finding{}
	s.resetTried = map[vpnport.Resource]bool{}
	s.resumeStep = -1
}

// queued is an action waiting for the loop, with the channel its caller
// waits on for the report of the check that follows it.
type queued struct {
	req   Request
	reply chan Report
}

// finished is a remedy's outcome waiting for its check.
type finished struct {
	ActionOutcome
	reply chan Report
}

// waiter is a Check call: it takes the first report of a check numbered
// after it.
type waiter struct {
	after uint64
	ch    chan Report
}

// Run runs the loop until ctx is done, then waits for a running remedy to
// return and returns nil. The first check runs at once.
func (m *Monitor) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer m.stop()
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // runs before wg.Wait: a remedy in flight sees it

	pw := m.opts.Power
	now := m.opts.Clock.Now()
	m.check(ctx, Trigger{Kind: Interval, Origin: OriginStart, At: now}, now, true, nil)
	for ctx.Err() == nil {
		m.startRemedy(ctx, &wg)
		now = m.opts.Clock.Now()
		if m.applyReloads() {
			m.check(ctx, Trigger{Kind: Interval, Origin: OriginConfig, At: now}, now, false, nil)
			continue
		}
		if t, fin, ok := m.take(now); ok {
			m.check(ctx, t, now, false, fin)
			continue
		}
		timer := m.opts.Clock.TimerAt(m.nextDue())
		select {
		case <-ctx.Done():
		case e, ok := <-pw:
			if !ok {
				pw = nil // a nil channel is never ready
				break
			}
			m.onPower(e)
		case <-m.wake:
		case <-timer.C():
		}
		timer.Stop()
	}
	return nil
}

// stop answers every caller still waiting: the loop is gone.
func (m *Monitor) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	for _, w := range m.waiters {
		close(w.ch)
	}
	m.waiters = nil
	for _, q := range m.queued {
		close(q.reply)
	}
	m.queued = nil
	for _, f := range m.outcome {
		close(f.reply)
	}
	m.outcome = nil
}

func (m *Monitor) interval() time.Duration {
	if m.opts.Config.Interval > 0 {
		return m.opts.Config.Interval
	}
	return fallbackInterval
}

// resumeDue is when step i of the post-resume schedule is due: the settle
// check, then one per Backoff entry.
func (m *Monitor) resumeDue(i int) time.Time {
	t := m.st.resumeAt.Add(m.opts.Settle)
	for _, d := range m.opts.Backoff[:i] {
		t = t.Add(d)
	}
	return t
}

// nextDue is the earliest time something scheduled must run.
func (m *Monitor) nextDue() time.Time {
	due := m.st.lastCheck.Add(m.interval())
	if m.st.resumeStep >= 0 {
		if t := m.resumeDue(m.st.resumeStep); t.Before(due) {
			due = t
		}
	}
	if !m.st.recheckAt.IsZero() && m.st.recheckAt.Before(due) {
		due = m.st.recheckAt
	}
	return due
}

func (m *Monitor) onPower(e power.Event) {
	for _, s := range m.opts.Sinks {
		if p, ok := s.(PowerSink); ok {
			p.Power(e)
		}
	}
	if e.Kind != power.Resume {
		return
	}
	// The loop's own clock, not e.At: diagnosis compares LastResume with
	// the check's Now, and both must come from one clock.
	now := m.opts.Clock.Now()
	m.st.lastResume = now
	m.st.resumeAt = now
	m.st.resumeStep = 0
}

// take decides whether a check is due now and why, consuming everything the
// check will satisfy (so triggers that piled up during the last check make
// one check, not several). An action outcome is reported by itself.
func (m *Monitor) take(now time.Time) (Trigger, *finished, bool) {
	m.mu.Lock()
	var fin *finished
	if len(m.outcome) > 0 {
		f := m.outcome[0]
		m.outcome = slices.Delete(m.outcome, 0, 1)
		fin = &f
	}
	manual := m.manual
	m.manual = nil
	m.mu.Unlock()

	var t Trigger
	ok := false
	pick := func(c Trigger) {
		if !ok {
			t, ok = c, true
		}
	}
	if fin != nil {
		m.st.remedyBusy = false
		out := &fin.ActionOutcome
		if out.Err == nil && out.Confirm == nil {
			if out.Request.Action == diagnose.ResetAdapter {
				m.st.resetTried[out.Request.Resource] = true
			}
			if d := out.Result.RecheckAfter; d > 0 {
				at := now.Add(d)
				if m.st.recheckAt.IsZero() || at.Before(m.st.recheckAt) {
					m.st.recheckAt = at
				}
			}
		}
		pick(Trigger{Kind: Action, Origin: out.Request.Origin, At: now})
	}
	if manual != nil {
		pick(*manual)
	}
	if evs := m.takeEvents(now); len(evs) > 0 {
		m.st.events = evs
		pick(Trigger{Kind: Failure, Origin: OriginEvent, At: now})
	}
	if !m.st.recheckAt.IsZero() && !now.Before(m.st.recheckAt) {
		m.st.recheckAt = time.Time{}
		pick(Trigger{Kind: Action, Origin: OriginRecheck, At: now})
	}
	if m.st.resumeStep >= 0 && !now.Before(m.resumeDue(m.st.resumeStep)) {
		for m.st.resumeStep >= 0 && !now.Before(m.resumeDue(m.st.resumeStep)) {
			m.st.resumeStep++
			if m.st.resumeStep > len(m.opts.Backoff) {
				m.st.resumeStep = -1
			}
		}
		pick(Trigger{Kind: Resume, Origin: OriginResume, At: now})
	}
	if !now.Before(m.st.lastCheck.Add(m.interval())) {
		pick(Trigger{Kind: Interval, Origin: OriginTimer, At: now})
	}
	return t, fin, ok
}

// startRemedy hands the next queued action to the Remedy when none runs.
func (m *Monitor) startRemedy(ctx context.Context, wg *sync.WaitGroup) {
	if m.st.remedyBusy {
		return
	}
	m.mu.Lock()
	if len(m.queued) == 0 {
		m.mu.Unlock()
		return
	}
	q := m.queued[0]
	m.queued = slices.Delete(m.queued, 0, 1)
	m.mu.Unlock()

	req := q.req
	req.Finding = m.st.latest[req.Resource]
	m.st.remedyBusy = true
	if m.opts.Remedy == nil {
		o := finished{ActionOutcome: ActionOutcome{Request: req}, reply: q.reply}
		if req.Action != diagnose.Retry {
			o.Err = ErrNoRemedy
		}
		m.deliver(o)
		return
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, err := m.opts.Remedy.Do(ctx, req.Request)
		o := finished{ActionOutcome: ActionOutcome{Request: req, Result: res}, reply: q.reply}
		var ce *remedy.ConfirmationError
		if errors.As(err, &ce) {
			o.Confirm = &ce.Confirmation
		} else if err != nil {
			o.Err = fmt.Errorf("%s: %w", req.Action, err)
		}
		m.deliver(o)
	}()
}

func (m *Monitor) deliver(o finished) {
	m.mu.Lock()
	if m.stopped {
		close(o.reply)
	} else {
		m.outcome = append(m.outcome, o)
	}
	m.mu.Unlock()
	m.poke()
}

// check probes, diagnoses, works out transitions, tells the sinks and
// answers the callers it satisfies: the action's (fin), and every Check
// that was waiting when this check started.
func (m *Monitor) check(ctx context.Context, t Trigger, now time.Time, first bool, fin *finished) {
	m.st.lastCheck = now
	m.mu.Lock()
	m.started++
	seq := m.started
	m.mu.Unlock()
	for _, s := range m.opts.Sinks {
		s.Checking(t)
	}
	pctx, cancel := context.WithTimeout(ctx, m.opts.ProbeTimeout)
	evs := m.st.events
	m.st.events = nil
	set := m.probeSet(evs)
	obs, err := m.opts.Prober.Probe(pctx, set, vpnport.ProbeOptions{
		// Only a check a person asked for may open a device for a moment
		// (see vpnport.ProbeOptions.Person): interval, wake and delayed
		// re-checks stay passive, or a board would be reset after every
		// resume while its USB bus is still coming back.
		Person: personAsked(t),
		// Named clients let an unprivileged probe say which VPN daemon
		// probably holds a port whose owner it may not see.
		Clients: m.opts.Config.Clients,
	})
	cancel()
	if ctx.Err() != nil {
		if fin != nil {
			close(fin.reply) // shutting down: a half-done check is no result
		}
		return
	}
	r := Report{Trigger: t, First: first, At: now, LastResume: m.st.lastResume}
	if fin != nil {
		r.Action = &fin.ActionOutcome
	}
	if err != nil {
		r.Err = fmt.Errorf("probing %d resources: %w", len(set), err)
		m.opts.Log.Warn("check failed", "trigger", t.Kind, "err", err)
		for _, ev := range evs {
			r.Failures = append(r.Failures, FailureOutcome{Event: ev})
		}
	} else {
		m.answer(&r, evs, obs, now)
	}
	for _, s := range m.opts.Sinks {
		s.Result(r)
	}
	if fin != nil {
		fin.reply <- r
	}
	m.mu.Lock()
	kept := m.waiters[:0]
	for _, w := range m.waiters {
		if w.after < seq {
			w.ch <- r
		} else {
			kept = append(kept, w)
		}
	}
	m.waiters = kept
	m.mu.Unlock()
}

func (m *Monitor) diagnose(obs []vpnport.Observation, now time.Time) (all, changed []diagnose.Finding) {
	c := DiagnoseContext(m.opts.Config, now)
	c.LastResume, c.WakeWindow = m.st.lastResume, m.opts.WakeWindow
	all = make([]diagnose.Finding, 0, len(obs))
	for _, o := range obs {
		c.ResetTried = m.st.resetTried[o.Resource]
		f := m.opts.Diagnose(o, c)
		all = append(all, f)
		v := verdictOf(f)
		if prev, seen := m.st.last[f.Resource]; !seen || prev != v {
			changed = append(changed, f)
		}
		m.st.last[f.Resource] = v
		m.st.latest[f.Resource] = f
		if !f.NeedsAttention() {
			delete(m.st.resetTried, f.Resource) // solved: a new problem starts afresh
		}
	}
	return all, changed
}

// personAsked reports whether t comes from a person: "Check now" or a
// clicked action, not an action's delayed re-check.
func personAsked(t Trigger) bool {
	return t.Kind == Manual || (t.Kind == Action && t.Origin.Person())
}

// verdict is what makes a finding news: its cause and who holds the
// resource. A new holder with the same cause (python3 replaced by socat on
// the port) is news too: the old note names the wrong process, and an
// end-process offered for it would be refused.
type verdict struct {
	cause   diagnose.Cause
	holders string
}

func verdictOf(f diagnose.Finding) verdict {
	var b strings.Builder
	for _, h := range f.Holders {
		fmt.Fprintf(&b, "%d/%d/%s/%d;", h.PID, h.Started.Unix(), h.User, h.UID)
	}
	return verdict{cause: f.Cause, holders: b.String()}
}
