package monitor

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/traycheck/traycheck/internal/config"
)

// OriginConfig is the check that follows a reload of the config: scheduled
// work, not a person's click (it never opens a device).
const OriginConfig Origin = "config"

// ConfigEvent is a reload's outcome, for the sinks that show it (see
// ConfigSink): the new config in force, or why an edit was refused while the
// last good config stays.
type ConfigEvent struct {
	At time.Time
	// Changed lists what changed ("vpn.ports: [udp/1194] -> [udp/1195]"),
	// empty when Err is set.
	Changed []string
	// Err is why the edit was refused (a *config.Error naming FILE:LINE);
	// the loop keeps watching with the last good config.
	Err error
	// Policy is set when Err is the machine policy's, not the user's file.
	Policy bool
}

// File and Line name the place of Err (empty and 0 when it has none).
func (e ConfigEvent) File() (string, int) {
	var ce *config.Error
	if errors.As(e.Err, &ce) {
		return ce.File, ce.Line
	}
	return "", 0
}

// ConfigSink is an optional extension of Sink for sinks that show reloads:
// the tray says "Config not applied: FILE:LINE: …; keeping the last good
// one" in a notification. Called from the loop goroutine like the others.
type ConfigSink interface {
	Config(ev ConfigEvent)
}

// pendingReload is a config (and the remedy that goes with it) waiting to
// replace the loop's, or an error to report.
type pendingReload struct {
	cfg *config.Config
	rem Remedy
	ev  ConfigEvent
}

// Reload replaces the loop's config (and, when rem is not nil, its Remedy,
// which carries the config's adapter, reconnect command and forbidden
// actions) as soon as no action runs, then checks the new resources at
// once. changed is what the caller found different, for the sinks and the
// log. It never blocks.
func (m *Monitor) Reload(cfg *config.Config, rem Remedy, changed []string) {
	m.queueReload(pendingReload{cfg: cfg, rem: rem, ev: ConfigEvent{At: m.opts.Clock.Now(), Changed: changed}})
}

// ConfigError reports an edit that was refused: the loop keeps its config,
// the ConfigSinks are told, and a refused machine policy is also reported
// to every sink as a failed check (a probe error): the administrator's
// limits could not be read.
func (m *Monitor) ConfigError(err error, policy bool) {
	m.queueReload(pendingReload{ev: ConfigEvent{At: m.opts.Clock.Now(), Err: err, Policy: policy}})
}

func (m *Monitor) queueReload(p pendingReload) {
	m.mu.Lock()
	m.reloads = append(m.reloads, p)
	m.mu.Unlock()
	m.poke()
}

// applyReloads runs on the loop goroutine between checks. A new config
// waits while an action runs (its remedy was made for the old one).
func (m *Monitor) applyReloads() (recheck bool) {
	if m.st.remedyBusy {
		return false
	}
	m.mu.Lock()
	ps := m.reloads
	m.reloads = nil
	m.mu.Unlock()
	for _, p := range ps {
		if p.cfg != nil {
			m.swapConfig(p.cfg, p.rem)
			recheck = true
		}
		for _, s := range m.opts.Sinks {
			if cs, ok := s.(ConfigSink); ok {
				cs.Config(p.ev)
			}
		}
		if p.ev.Err != nil && p.ev.Policy {
			r := Report{Trigger: Trigger{Kind: Interval, Origin: OriginConfig, At: p.ev.At}, At: p.ev.At,
				LastResume: m.st.lastResume, Err: fmt.Errorf("machine policy not applied, the last good one stays: %w", p.ev.Err)}
			for _, s := range m.opts.Sinks {
				s.Result(r)
			}
		}
	}
	return recheck
}

// swapConfig puts cfg in force. Resources no longer watched lose their
// history, so one that comes back is news again.
func (m *Monitor) swapConfig(cfg *config.Config, rem Remedy) {
	m.opts.Config = cfg
	if rem != nil {
		m.opts.Remedy = rem
	}
	m.resources = cfg.Resources()
	for r := range m.st.resetTried {
		if !slices.Contains(m.resources, r) {
			delete(m.st.resetTried, r)
		}
	}
	for r := range m.st.last {
		if !slices.Contains(m.resources, r) {
			delete(m.st.last, r)
			delete(m.st.latest, r)
		}
	}
}
