package monitor

import (
	"context"
	"slices"
	"time"

	"github.com/traycheck/traycheck/internal/diagnose"
	"github.com/traycheck/traycheck/internal/trigger"
	"github.com/traycheck/traycheck/internal/vpnport"
)

// FailureOutcome is a VPN client's event with the check it caused.
type FailureOutcome struct {
	Event trigger.Event
	// Findings are those of the event's resources (empty when it names
	// none, or when the probe failed).
	Findings []diagnose.Finding
}

// Held returns the findings that need attention: a failure with none is not
// a conflict (a wrong password, a dead server), and traycheck says nothing
// to the user about it.
func (f FailureOutcome) Held() []diagnose.Finding {
	var out []diagnose.Finding
	for _, x := range f.Findings {
		if x.NeedsAttention() {
			out = append(out, x)
		}
	}
	return out
}

// maxEvents bounds the events waiting for the loop; a client retrying in a
// tight loop coalesces anyway (see Failed).
const maxEvents = 32

// Failed hands the loop a VPN client's event: the loop checks the event's
// resources at once (after a resume's settle delay, when one runs), between
// two other checks, never beside one. It never blocks. An event replaces a
// waiting one of the same connection, so a client retrying every second
// makes one check per loop turn, not a queue.
func (m *Monitor) Failed(ev trigger.Event) {
	m.mu.Lock()
	replaced := false
	for i, w := range m.events {
		if w.Source == ev.Source && w.Connection == ev.Connection && w.Program == ev.Program {
			m.events[i], replaced = ev, true
			break
		}
	}
	if !replaced {
		if len(m.events) >= maxEvents {
			m.events = m.events[1:]
		}
		m.events = append(m.events, ev)
	}
	m.mu.Unlock()
	m.poke()
}

// Feed hands every event of ch to Failed until ch closes or ctx ends.
func (m *Monitor) Feed(ctx context.Context, ch <-chan trigger.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			m.Failed(ev)
		}
	}
}

// takeEvents takes the waiting events, unless a resume's settle delay runs:
// the network is still coming back, and the settle check answers them.
func (m *Monitor) takeEvents(now time.Time) []trigger.Event {
	if m.st.resumeStep == 0 && now.Before(m.resumeDue(0)) {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	evs := m.events
	m.events = nil
	return evs
}

// probeSet is the watched resources plus those the events name.
func (m *Monitor) probeSet(evs []trigger.Event) []vpnport.Resource {
	if len(evs) == 0 {
		return m.resources
	}
	rs := append([]vpnport.Resource(nil), m.resources...)
	for _, ev := range evs {
		rs = append(rs, ev.Resources...)
	}
	return trigger.Uniq(rs)
}

// answer diagnoses a check's observations: the watched resources as
// always, then each event's own. A conflict a failure event explains is
// announced by that event (its note names the connection and quotes its
// error), so it leaves the plain transitions.
func (m *Monitor) answer(r *Report, evs []trigger.Event, obs []vpnport.Observation, now time.Time) {
	watched := make(map[vpnport.Resource]bool, len(m.resources))
	for _, x := range m.resources {
		watched[x] = true
	}
	byRes := make(map[vpnport.Resource]vpnport.Observation, len(obs))
	var mine []vpnport.Observation
	for _, o := range obs {
		byRes[o.Resource] = o
		if watched[o.Resource] {
			mine = append(mine, o)
		}
	}
	r.Findings, r.Transitions = m.diagnose(mine, now)
	if len(evs) == 0 {
		return
	}
	c := DiagnoseContext(m.opts.Config, now)
	c.LastResume, c.WakeWindow = m.st.lastResume, m.opts.WakeWindow
	clients := c.VPNClients
	told := map[vpnport.Resource]bool{}
	for _, ev := range evs {
		out := FailureOutcome{Event: ev}
		c.Contended = ev.Contended
		// The failing client's own services (RAS: IKEEXT, RasMan) holding
		// its ports are the user's VPN working, as explain counts them.
		c.VPNClients = slices.Concat(clients, diagnose.ProgramClients(trigger.Family(ev.Program)))
		for _, res := range ev.Resources {
			if o, ok := byRes[res]; ok {
				out.Findings = append(out.Findings, m.opts.Diagnose(o, c))
			}
		}
		if ev.Kind == trigger.Failed {
			for _, f := range out.Held() {
				told[f.Resource] = true
			}
		}
		r.Failures = append(r.Failures, out)
	}
	kept := r.Transitions[:0]
	for _, f := range r.Transitions {
		if !told[f.Resource] {
			kept = append(kept, f)
		}
	}
	r.Transitions = kept
}
